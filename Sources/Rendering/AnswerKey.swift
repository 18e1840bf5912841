import Figures
import Runner

/// The key's summary of the questions, and the answers file for grading.
public enum AnswerKey {
  /// Exercise, question, answer, tolerance and points of every blank.
  public static func table(_ answers: [Answer]) -> Table {
    let rows = answers.map { answer -> [Cell] in
      [
        .text(answer.exercise == 0 ? "—" : "\(answer.exercise)"), .text(answer.reference),
        .text(NumberText.trimmed(answer.value, decimals: 6)), .text(toleranceText(answer)),
        .integer(answer.points),
      ]
    }
    let total = answers.reduce(0) { $0 + $1.points }
    return Table(
      caption: "\(answers.count) answers, \(total) points",
      header: ["Exercise", "Question", "Answer", "Tolerance", "Points"],
      rows: rows, precision: 4)
  }

  /// The answers file: one row per student and blank, with the expected value and tolerance.
  /// `student,exercise,question,expected,tolerance,kind,points`.
  public static func csv(_ answers: [(student: String, answers: [Answer])]) -> String {
    var lines = ["student,exercise,question,expected,tolerance,kind,points"]
    for (student, list) in answers {
      for answer in list {
        lines.append(
          [
            csvField(student), String(answer.exercise), csvField(answer.reference),
            NumberText.trimmed(answer.value, decimals: 12),
            NumberText.trimmed(answer.tolerance.value, decimals: 12),
            answer.tolerance.relative ? "relative" : "absolute", String(answer.points),
          ].joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func toleranceText(_ answer: Answer) -> String {
    answer.tolerance.relative
      ? "±" + NumberText.trimmed(answer.tolerance.value * 100, decimals: 6) + "%"
      : "±" + NumberText.trimmed(answer.tolerance.value, decimals: 8)
  }

  /// A CSV field, quoted when it holds a comma, a quote or a line break.
  static func csvField(_ text: String) -> String { CSVText.field(text) }
}
