import ArgumentParser
import CommandLineSupport
import Foundation
import Runner

/// `nbrun grade ANSWERS SUBMISSIONS`: scores per student and per question.
struct Grade: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grade",
    abstract: "Grades students' answers against the answers file of a key or variants build.",
    discussion: """
      ANSWERS is NAME-answers.csv from `nbrun --key` or `nbrun --variants`. SUBMISSIONS is a
      CSV with the header student,question,answer — one row per student and blank, the
      question named as in ANSWERS (hk.Err4). Scores go to stdout and to --scores.
      """)

  @Argument(help: "The answers file.")
  var answers: String

  @Argument(help: "The students' submissions.")
  var submissions: String

  @Option(help: "Where to write the scores, one row per student and question.")
  var scores = "scores.csv"

  func validate() throws {
    let output = OutputGuard.canonical(URL(fileURLWithPath: scores))
    for input in [answers, submissions]
    where OutputGuard.canonical(URL(fileURLWithPath: input)) == output {
      throw ValidationError(
        "--scores \(scores) would overwrite the input \(input); name another file")
    }
  }

  func run() throws {
    SignalHold.answerInterrupts()
    func read(_ path: String) throws -> String {
      do {
        return try FileText.read(URL(fileURLWithPath: path), shownAs: path)
      } catch {
        printError("nbrun grade: \(error)")
        throw ExitCode(Verdict.notebookErrors.rawValue)
      }
    }
    let report: Grading.Report
    do {
      report = try Grading.grade(
        answers: try read(answers), answersName: answers, submissions: try read(submissions),
        submissionsName: submissions)
    } catch let error as GradingError {
      printError("nbrun grade: \(error.message)")
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    for problem in report.problems { printError("nbrun grade: \(problem)") }
    print("student\tpoints")
    for (student, earned, possible) in report.byStudent {
      print("\(student)\t\(earned)/\(possible)")
    }
    print("\nquestion\tcorrect")
    for (question, correct, students) in report.byQuestion {
      print("\(question)\t\(correct)/\(students)")
    }
    do {
      try Data(Grading.csv(report).utf8).write(to: URL(fileURLWithPath: scores), options: .atomic)
    } catch {
      printError(
        "nbrun grade: cannot write \(scores) (\((error as NSError).localizedFailureReason ?? "check that its folder exists and is writable"))"
      )
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    if report.rejectedKeyRows > 0 {
      printError(
        "nbrun grade: \(report.rejectedKeyRows) row(s) of \(answers) were left out, so the scores are incomplete; fix them and grade again"
      )
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
  }
}
