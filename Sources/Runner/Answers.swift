import Notebook

/// One blank of an exercise: what the key shows and what grading accepts.
public struct Answer: Hashable, Sendable {
  /// The exercise number (0 for a blank before the first exercise).
  public var exercise: Int
  public var exerciseTitle: String
  /// The blanked value's reference, `hk.Err4`: the question's name in answers and grades.
  public var reference: String
  public var value: Double
  /// How far an answer may be off: absolute, or relative when `relative`.
  public var tolerance: Double
  public var relative: Bool
  public var points: Int

  /// Whether a submitted number is right.
  public func accepts(_ submitted: Double) -> Bool {
    guard submitted.isFinite else { return false }
    let allowed = relative ? tolerance * Swift.abs(value) : tolerance
    return Swift.abs(submitted - value) <= allowed + 1e-12
  }

  /// A `tolerance:` value: `0.001` (absolute) or `1%` (relative), or `nil` if malformed.
  public static func tolerance(_ text: String) -> (value: Double, relative: Bool)? {
    let trimmed = text.trimmed
    if trimmed.hasSuffix("%") {
      guard let percent = DirectiveOption.parseNumber(String(trimmed.dropLast())), percent >= 0
      else { return nil }
      return (percent / 100, true)
    }
    guard let value = DirectiveOption.parseNumber(trimmed), value >= 0 else { return nil }
    return (value, false)
  }
}

extension RunResult {
  /// Every blank of the run, in document order, with its exercise.
  public var answers: [Answer] {
    var exercise = (number: 0, title: "", points: 1)
    var answers: [Answer] = []
    for outcome in outcomes where outcome.status == .succeeded {
      for case .exercise(let number, let title, let points) in outcome.items {
        exercise = (number, title, points)
      }
      guard let option = outcome.block.option("blank"), let name = outcome.resultName else {
        continue
      }
      // Default tolerance: one unit of the last decimal the handout shows.
      var unit = 1.0
      for _ in 0..<outcome.precision { unit /= 10 }
      let tolerance =
        outcome.block.option("tolerance").flatMap { Answer.tolerance($0.value) } ?? (unit, false)
      for key in option.words {
        guard let value = values[name]?[key]?.number else { continue }
        answers.append(
          Answer(
            exercise: exercise.number, exerciseTitle: exercise.title, reference: "\(name).\(key)",
            value: value,
            tolerance: tolerance.value, relative: tolerance.relative, points: exercise.points))
      }
    }
    return answers
  }

  /// The references of every blank, `hk.Err4`: hidden from students wherever they appear.
  public var blankedReferences: Set<String> { Set(answers.map(\.reference)) }
}
