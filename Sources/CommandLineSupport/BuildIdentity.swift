import Foundation

/// What identifies this build of nbrun in cache keys: its version, and the size and time
/// of the `nbrun` executable (for `nbrun-preview`, the `nbrun` beside it, so the two share
/// one cache), so a rebuilt nbrun never reads results an older build cached.
public enum BuildIdentity {
  public static let version = "0.13.0"

  public static var current: String {
    let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let renderer = own.deletingLastPathComponent().appendingPathComponent("nbrun")
    let path =
      FileManager.default.isExecutableFile(atPath: renderer.path) ? renderer.path : own.path
    var info = stat()
    guard stat(path, &info) == 0 else { return "\(version) unknown build" }
    return "\(version) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
  }
}
