import Notebook

/// One blank of an exercise: what the key shows and what grading accepts.
public struct Answer: Hashable, Sendable {
  /// The exercise number (0 for a blank before the first exercise).
  public var exercise: Int
  public var exerciseTitle: String
  /// The blanked value, `hk.Err4`: the question's name in answers and grades.
  public var key: ValueKey
  public var value: Double
  /// How far an answer may be off.
  public var tolerance: Tolerance
  public var points: Int

  /// The question's name, `hk.Err4`.
  public var reference: String { key.description }

  /// Whether a submitted number is right.
  public func accepts(_ submitted: Double) -> Bool {
    guard submitted.isFinite else { return false }
    let allowed = tolerance.relative ? tolerance.value * Swift.abs(value) : tolerance.value
    return Swift.abs(submitted - value) <= allowed
  }
}

extension RunResult {
  /// Every blank of the run, in document order, with its exercise.
  public var answers: [Answer] {
    var exercise = (number: 0, title: "", points: 1)
    var answers: [Answer] = []
    for (index, outcome) in outcomes.enumerated() where outcome.status == .succeeded {
      for case .exercise(let number, let title, let points) in outcome.items {
        exercise = (number, title, points)
      }
      guard let name = outcome.resultName else { continue }
      // Default tolerance: one unit of the last decimal the handout shows.
      let tolerance =
        outcome.common.tolerance
        ?? Tolerance(value: Assertion.unit(decimals: outcome.precision), relative: false)
      for word in outcome.common.blank {
        guard let key = ValueKey(owner: name, local: word),
          let value = values.value(key, at: index + 1)?.number
        else { continue }
        answers.append(
          Answer(
            exercise: exercise.number, exerciseTitle: exercise.title, key: key, value: value,
            tolerance: tolerance, points: exercise.points))
      }
    }
    return answers
  }

  /// Every blanked value, and every shown value that would give one away: hidden from
  /// students wherever it appears.
  public var blankedKeys: Set<ValueKey> {
    let blanked = Set(answers.map(\.key))
    guard !blanked.isEmpty else { return [] }
    return blanked.union(Giveaways.revealing(Giveaways.shownKeys(outcomes), blanked: blanked))
  }
}
