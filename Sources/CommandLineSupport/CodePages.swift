import Foundation
import Synchronization

#if canImport(CMalloc) && os(Linux)
  import CMalloc
#endif

/// The program's own read-only segments (code, constant data) are read from its file as
/// they are used. The kernel maps a page's neighbours with it ("fault-around", 64 KB by
/// default), which counts in the process's resident memory though nothing reads them;
/// in a 100 MB statically linked program whose code runs here and there, that was more
/// than half a lecture's peak. `nbrun` unmaps that code as it goes (`MADV_DONTNEED`), so
/// the resident set holds the code of what runs now. (`MADV_RANDOM`, which should stop
/// the fault-around, does not: the kernel ignores it there.)
public enum CodePages {
  /// Whether ``release()`` unmaps anything: `nbrun` turns it on at its start (a program
  /// that serves, the preview or the kernel, keeps its pages).
  nonisolated(unsafe) public static var releasing = false {
    didSet { if releasing { trimHeapAsItFrees() } }
  }

  /// Has the allocator give freed memory back to the system as it goes: glibc keeps up to
  /// 128 KB above the top of its heap and grows it 128 KB ahead of need, and a large block
  /// freed once makes the next ones of its size stay in the heap for good (its adaptive
  /// threshold). Here the threshold is fixed at 128 KB, nothing is kept above the top and
  /// 64 KB free at the top is returned: lecture 4's peak went from 30.5 MB to 28.2 MB, at
  /// no cost its timing shows.
  private static func trimHeapAsItFrees() {
    #if canImport(CMalloc) && os(Linux)
      _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
      _ = mallopt(M_TOP_PAD, 0)
      _ = mallopt(M_TRIM_THRESHOLD, 64 * 1024)
    #endif
  }

  /// Unmaps the program's code pages from this process between a run's phases (start-up,
  /// running the blocks, rendering): they stay in the page cache and map again, without
  /// reading the disk, as code runs, so the resident set holds the code of one phase at a
  /// time. A few hundred minor faults, well under a millisecond.
  /// The mappings are read from `/proc/self/maps` (Linux); nothing happens where that
  /// cannot be read.
  public static func release() {
    guard releasing,
      let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
    else { return }
    for line in maps.split(separator: "\n") {
      // START-END PERMS OFFSET DEVICE INODE PATH
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      // Executable and not writable, read from a file (the program and its libraries):
      // code (and the constants linked beside it), never written. Read-only data made so
      // after relocation (RELRO) is left alone (its pages are the process's own copies),
      // and so are the kernel's pages ([vdso]).
      guard fields.count == 6, fields[5].hasPrefix("/"), fields[1].hasPrefix("r-x") else {
        continue
      }
      let bounds = fields[0].split(separator: "-")
      guard bounds.count == 2, let start = UInt(bounds[0], radix: 16),
        let end = UInt(bounds[1], radix: 16), end > start
      else { continue }
      _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_DONTNEED)
    }
    #if canImport(CMalloc) && os(Linux)
      // And the free pages inside the heap and the other threads' heaps (a phase's buffers).
      _ = malloc_trim(0)
    #endif
  }

  /// Notes a block that ran for `seconds`; once blocks have run for 10 ms since the last
  /// release, releases again. An unmapping costs up to a millisecond (the page faults
  /// that map back the code still in use, and telling the other threads' processors), so
  /// a notebook of many small blocks, each running other code, never gathers all of it
  /// at once, for a cost lost in the noise of lecture 2's time (`perf stat -r 10`).
  public static func noteBlock(seconds: Double) {
    guard releasing else { return }
    let due = sinceRelease.withLock { total in
      total += seconds
      guard total >= 0.01 else { return false }
      total = 0
      return true
    }
    if due { release() }
  }

  private static let sinceRelease = Mutex(0.0)
}
