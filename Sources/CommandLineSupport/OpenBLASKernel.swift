internal import CBLAS
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Choosing OpenBLAS's compute kernel, for the command-line programs.
///
/// Debian's OpenBLAS 0.3.21 picks its kernel from the CPU model at load time and falls
/// back to the SSE3 "Prescott" kernel on models it does not know — virtual machines that
/// report a generic "Intel Xeon Processor" among them — which runs matrix products 3–4×
/// slower than the CPU allows. OpenBLAS reads `OPENBLAS_CORETYPE` only at load time, so
/// the fix is to run the program again with it set. The engine library never does this;
/// only executables call it, first thing in `main`.
public enum OpenBLASKernel {
  public enum Policy: Sendable {
    /// The fastest kernel the CPU supports (AVX-512 where present): for benchmarks.
    case fastest
    /// AVX2 at most, so that machines with and without AVX-512 compute the same bits.
    case portable
  }

  /// The kernel OpenBLAS is using now (`Haswell`, `SkylakeX`, `Prescott`…).
  public static var current: String {
    openblas_get_corename().map { String(cString: $0) } ?? "unknown"
  }

  /// The kernel to ask for on this CPU, or `nil` when the CPU has neither AVX2 nor AVX-512.
  public static func recommended(policy: Policy, cpuFlags: Set<String>) -> String? {
    let avx512 = ["avx512f", "avx512vl", "avx512bw", "avx512dq"].allSatisfy(cpuFlags.contains)
    if policy == .fastest, avx512 { return "SkylakeX" }
    if cpuFlags.contains("avx2"), cpuFlags.contains("fma") { return "Haswell" }
    return nil
  }

  /// Whether OpenBLAS is running the kernel `nbrun` asks for (`.portable`), so that results
  /// match the committed handouts bit for bit.
  public static var isPortable: Bool {
    guard let wanted = recommended(policy: .portable, cpuFlags: cpuFlags()) else { return true }
    return wanted.lowercased() == current.lowercased()
  }

  /// Makes OpenBLAS run the kernel the policy asks for, unless `OPENBLAS_CORETYPE` is
  /// already set (by the user, or by a run before). Debian's OpenBLAS is built for every
  /// CPU (DYNAMIC_ARCH) and exports the two functions that choose its kernel table, so the
  /// kernel is switched in this process: `gotoblas_dynamic_quit` forgets the table and
  /// `gotoblas_dynamic_init` chooses again, reading `OPENBLAS_CORETYPE`. Where a build of
  /// OpenBLAS lacks them, the program is executed again with the variable set (about 10 ms
  /// more). Both give the same kernel, so the same bits (see `switchesInProcess`).
  public static func ensure(_ policy: Policy) {
    defer { stopIdleWorkers() }
    // getenv, not ProcessInfo's dictionary: building that costs a millisecond at start.
    guard getenv("OPENBLAS_CORETYPE") == nil,
      let wanted = recommended(policy: policy, cpuFlags: cpuFlags()),
      wanted.lowercased() != current.lowercased()
    else { return }
    setenv("OPENBLAS_CORETYPE", wanted, 1)
    if switchInProcess(), current.lowercased() == wanted.lowercased() { return }
    let arguments = CommandLine.arguments
    var pointers = arguments.map { strdup($0) }
    pointers.append(nil)
    execv("/proc/self/exe", &pointers)
    // Only reached when exec failed: carry on with the kernel we have.
    unsetenv("OPENBLAS_CORETYPE")
    for pointer in pointers { free(pointer) }
  }

  /// Stops OpenBLAS's worker threads. The engine runs every product on the calling thread
  /// (one OpenBLAS thread, so results do not depend on the core count), but the threaded
  /// library starts a worker per core at load time, and idle workers spin in
  /// `sched_yield` for a while before they sleep: a quarter of a lecture's time, and a
  /// core taken from `-j`. A later `BLAS.setThreadCount(n)` starts them again.
  static func stopIdleWorkers() {
    typealias Hook = @convention(c) () -> Int32
    openblas_set_num_threads(1)
    guard let handle = dlopen(nil, RTLD_NOW), let shutdown = dlsym(handle, "blas_thread_shutdown_")
    else { return }
    _ = unsafeBitCast(shutdown, to: Hook.self)()
  }

  /// Whether the last `ensure` switched the kernel without executing the program again.
  public private(set) nonisolated(unsafe) static var switchedInProcess = false

  /// Chooses OpenBLAS's kernel table again (reading `OPENBLAS_CORETYPE`), when the library
  /// exports the functions that do it; `false` when it does not.
  public static func switchInProcess() -> Bool {
    typealias Hook = @convention(c) () -> Void
    guard let handle = dlopen(nil, RTLD_NOW),
      let quit = dlsym(handle, "gotoblas_dynamic_quit"),
      let initialize = dlsym(handle, "gotoblas_dynamic_init")
    else { return false }
    unsafeBitCast(quit, to: Hook.self)()
    unsafeBitCast(initialize, to: Hook.self)()
    switchedInProcess = true
    return true
  }

  /// The CPU's feature flags from /proc/cpuinfo (empty where there is none).
  static func cpuFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
      let colon = line.firstIndex(of: ":")
    else { return [] }
    return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
  }
}
