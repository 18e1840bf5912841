import Foundation

/// What identifies this build of nbrun in cache keys: its version, and the size and time
/// of the executable, so a rebuilt nbrun never reads results an older build cached.
public enum BuildIdentity {
  public static let version = "0.13.0"

  public static var current: String {
    let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    var info = stat()
    guard stat(path, &info) == 0 else { return "\(version) unknown build" }
    return "\(version) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
  }
}
