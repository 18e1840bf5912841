import NeuralEngine
import Notebook

/// Grading: the answers file a key build wrote, against the numbers students submitted.
public enum Grading {
  /// One student's answer to one question.
  public struct Row: Hashable, Sendable {
    public var student: String
    public var question: String
    public var expected: Double
    public var submitted: Double?
    public var correct: Bool
    public var points: Int
  }

  /// Scores and the problems found on the way (unknown students, missing answers,
  /// non-numbers), each naming its file and line.
  public struct Report: Sendable {
    public var rows: [Row]
    public var problems: [String]
    /// Rows of the answers file left out (a bad number, kind or question): the grading is
    /// incomplete, and `nbrun grade` exits 2.
    public var rejectedKeyRows = 0

    /// Points per student: earned and possible, in the answers file's order.
    public var byStudent: [(student: String, earned: Int, possible: Int)] {
      var order: [String] = []
      var totals: [String: (Int, Int)] = [:]
      for row in rows {
        if totals[row.student] == nil { order.append(row.student) }
        let (earned, possible) = totals[row.student] ?? (0, 0)
        totals[row.student] = (earned + (row.correct ? row.points : 0), possible + row.points)
      }
      return order.map { ($0, totals[$0]?.0 ?? 0, totals[$0]?.1 ?? 0) }
    }

    /// How many students answered each question right, in the answers file's order.
    public var byQuestion: [(question: String, correct: Int, students: Int)] {
      var order: [String] = []
      var totals: [String: (Int, Int)] = [:]
      for row in rows {
        if totals[row.question] == nil { order.append(row.question) }
        let (correct, students) = totals[row.question] ?? (0, 0)
        totals[row.question] = (correct + (row.correct ? 1 : 0), students + 1)
      }
      return order.map { ($0, totals[$0]?.0 ?? 0, totals[$0]?.1 ?? 0) }
    }
  }

  /// Grades `submissions` (CSV `student,question,answer`, with a header) against `answers`
  /// (the key's `student,exercise,question,expected,tolerance,kind,points`).
  public static func grade(
    answers answersText: String, answersName: String, submissions submissionsText: String,
    submissionsName: String
  )
    throws -> Report
  {
    let answers = try table(
      answersText, name: answersName,
      columns: ["student", "question", "expected", "tolerance", "kind", "points"])
    let submissions = try table(
      submissionsText, name: submissionsName, columns: ["student", "question", "answer"])
    var problems: [String] = []
    var rejectedKeyRows = 0
    struct Key: Hashable { var student: String, question: String }
    var expected: [Key: (Answer, Int)] = [:]
    var order: [Key] = []
    for (row, line) in zip(answers.rows, answers.lines) {
      let field = { (name: String) in CSVText.unguarded(answers.field(row, name)) }
      guard let value = DecimalNumber.parse(field("expected")),
        let tolerance = DecimalNumber.parse(field("tolerance")), tolerance >= 0,
        let points = Int(field("points")),
        (0...1_000_000).contains(points)
      else {
        problems.append(
          "\(answersName):\(line): expected and tolerance must be numbers, points a whole number from 0 to 1000000"
        )
        rejectedKeyRows += 1
        continue
      }
      guard ["absolute", "relative"].contains(field("kind")) else {
        problems.append(
          "\(answersName):\(line): kind must be 'absolute' or 'relative', not '\(field("kind"))'; the row is left out"
        )
        rejectedKeyRows += 1
        continue
      }
      let key = Key(student: field("student"), question: field("question"))
      guard expected[key] == nil else {
        problems.append(
          "\(answersName):\(line): a second row for \(key.student)'s \(key.question); the first counts"
        )
        continue
      }
      guard let question = ValueKey(parsing: key.question) else {
        problems.append(
          "\(answersName):\(line): '\(key.question)' is not a value name like hk.Err6")
        rejectedKeyRows += 1
        continue
      }
      expected[key] = (
        Answer(
          exercise: 0, exerciseTitle: "", key: question, value: value,
          tolerance: Tolerance(value: tolerance, relative: field("kind") == "relative"),
          points: points),
        line
      )
      order.append(key)
    }
    let students = Set(order.map(\.student))
    var submitted: [Key: Double] = [:]
    for (row, line) in zip(submissions.rows, submissions.lines) {
      let key = Key(
        student: submissions.field(row, "student"), question: submissions.field(row, "question"))
      guard students.contains(key.student) else {
        problems.append(
          "\(submissionsName):\(line): unknown student '\(key.student)' (not in \(answersName))")
        continue
      }
      guard expected[key] != nil else {
        problems.append(
          "\(submissionsName):\(line): '\(key.question)' is not a question for \(key.student)")
        continue
      }
      let text = submissions.field(row, "answer")
      guard let value = DirectiveOption.parseNumber(text) else {
        problems.append(
          "\(submissionsName):\(line): \(key.student)'s answer to \(key.question) is '\(text)', not a number (scored as wrong)"
        )
        continue
      }
      if submitted[key] != nil {
        problems.append(
          "\(submissionsName):\(line): a second answer from \(key.student) to \(key.question); the first counts"
        )
        continue
      }
      submitted[key] = value
    }
    var rows: [Row] = []
    var missing: [String: Int] = [:]
    for key in order {
      guard let (answer, _) = expected[key] else { continue }
      let value = submitted[key]
      if value == nil { missing[key.student, default: 0] += 1 }
      rows.append(
        Row(
          student: key.student, question: key.question, expected: answer.value, submitted: value,
          correct: value.map(answer.accepts) ?? false, points: answer.points))
    }
    for (student, count) in missing.sorted(by: { $0.key < $1.key }) {
      problems.append(
        "\(submissionsName): no answer from \(student) to \(count) question\(count == 1 ? "" : "s") (scored as wrong)"
      )
    }
    return Report(rows: rows, problems: problems, rejectedKeyRows: rejectedKeyRows)
  }

  /// Scores as CSV: `student,question,expected,submitted,correct,points`.
  public static func csv(_ report: Report) -> String {
    var lines = ["student,question,expected,submitted,correct,points"]
    for row in report.rows {
      lines.append(
        [
          CSVText.field(row.student), CSVText.field(row.question), "\(row.expected)",
          row.submitted.map { "\($0)" } ?? "",
          row.correct ? "yes" : "no",
          String(row.correct ? row.points : 0),
        ].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func table(_ text: String, name: String, columns: [String]) throws -> CSVTable {
    let table: CSVTable
    do {
      table = try CSVTable(parsing: text, hasHeader: true)
    } catch let error as EngineError {
      throw GradingError(message: "\(name): \(error.description)")
    }
    let header = table.header ?? []
    for column in columns where !header.contains(column) {
      throw GradingError(
        message:
          "\(name): no column '\(column)'; the header needs \(columns.joined(separator: ","))")
    }
    return table
  }
}

/// A grading input that cannot be read at all.
public struct GradingError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

extension CSVTable {
  /// A row's field by column name ("" when absent).
  func field(_ row: [String], _ name: String) -> String {
    guard let index = header?.firstIndex(of: name), row.indices.contains(index) else { return "" }
    return row[index].trimmed
  }
}
