import Dispatch

/// When a run must stop: the run's `--budget` counted from the moment the notebook began
/// to be read. Every phase asks it between units of work — parsing between blocks, the
/// session between blocks and batches, the page check between formulas, rendering
/// between blocks, the audit between files — so no phase runs past the budget by more
/// than one unit (the longest is cmark's parse of the whole text, about 40 ms a MB).
public struct Deadline: Sendable {
  /// The budget in seconds; `nil` when the run has none.
  public let seconds: Double?
  /// The moment the budget runs out.
  public let instant: DispatchTime?

  /// No deadline: the run may take as long as it takes.
  public static let none = Deadline(seconds: nil)

  /// A budget of `seconds` counted from `start`. A budget too large to count in
  /// nanoseconds (over 290 years) is none.
  public init(seconds: Double?, from start: DispatchTime = .now()) {
    self.seconds = seconds
    guard let seconds, seconds.isFinite, seconds >= 0, seconds < 9e9 else {
      instant = nil
      return
    }
    let (sum, overflow) = start.uptimeNanoseconds.addingReportingOverflow(
      UInt64(seconds * 1e9))
    instant = overflow ? nil : DispatchTime(uptimeNanoseconds: sum)
  }

  /// Whether the budget has run out.
  public var passed: Bool {
    guard let instant else { return false }
    return DispatchTime.now() >= instant
  }

  /// Whether `seconds` more of work fit before the budget runs out: a step that cannot be
  /// interrupted (cmark's parse) is not begun when it would surely overrun.
  public func allows(_ seconds: Double) -> Bool {
    guard let remaining else { return true }
    return remaining >= seconds
  }

  /// Seconds left before the budget runs out (0 once it has); `nil` without one.
  public var remaining: Double? {
    guard let instant else { return nil }
    let now = DispatchTime.now().uptimeNanoseconds
    return instant.uptimeNanoseconds > now
      ? Double(instant.uptimeNanoseconds - now) / 1e9 : 0
  }

  /// "the run's budget of 5 s ran out while parsing the notebook": what stopped the run,
  /// `while` saying which phase it was in.
  public func message(while phase: String) -> String {
    "the run's budget of \(shown) s ran out while \(phase)"
  }

  /// The message for a step not begun because it would overrun: "the run's budget of 2 s
  /// would run out while parsing the notebook, which takes about 6 s".
  public func message(while phase: String, foreseen: Double) -> String {
    let about = foreseen < 1 ? "under a second" : "about \(Int(foreseen.rounded())) s"
    return "the run's budget of \(shown) s would run out while \(phase), which takes \(about)"
  }

  private var shown: String {
    seconds.map { $0 == $0.rounded() && $0 < 1e15 ? String(Int64($0)) : String($0) } ?? "?"
  }
}
