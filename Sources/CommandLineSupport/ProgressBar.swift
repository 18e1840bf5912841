import Figures
import Foundation
import Runner

/// A one-line training progress bar on a terminal's stderr.
public final class ProgressBar: @unchecked Sendable {
  private let lock = NSLock()
  private var last = Date.distantPast

  public init() {}

  public func show(_ report: ProgressReport) {
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard now.timeIntervalSince(last) > 0.1 || report.epoch == report.epochs else { return }
    last = now
    let width = 30
    let filled = report.epochs > 0 ? width * report.epoch / report.epochs : 0
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    FileHandle.standardError.write(
      Data(
        "\r\(report.block) \(bar) epoch \(report.epoch)/\(report.epochs) loss \(NumberText.significant(report.loss, digits: 4))\u{1B}[K"
          .utf8))
  }

  public func clear() {
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
