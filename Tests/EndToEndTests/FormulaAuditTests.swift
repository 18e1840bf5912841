import FormulaAudit
import Foundation
import Testing

/// Every formula the committed course prints re-evaluates, from its printed operands, to
/// its printed result; and the audit catches one that does not.
@Suite("Printed formulas re-evaluate")
struct FormulaAuditTests {
  /// Every committed handout, deck, student and key sheet and notebook export, audited as
  /// its format reads.
  static func auditCommitted() throws -> (FormulaAudit.Report, [String: Int]) {
    let output = CourseTests.repository.appendingPathComponent("output")
    let files =
      FileManager.default.enumerator(atPath: output.path)?.compactMap { $0 as? String } ?? []
    var report = FormulaAudit.Report()
    var perFile: [String: Int] = [:]
    for file in files.sorted() {
      let url = output.appendingPathComponent(file)
      guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
      let folder = url.deletingLastPathComponent()
      let part: FormulaAudit.Report
      if file.hasSuffix(".md") {
        part = FormulaAudit.markdown(text, file: file) { link in
          try? String(contentsOf: folder.appendingPathComponent(link), encoding: .utf8)
        }
      } else if file.hasSuffix(".html") {
        part = FormulaAudit.html(text, file: file)
      } else if file.hasSuffix(".ipynb") {
        part = FormulaAudit.notebook(text, file: file)
      } else {
        continue
      }
      perFile[file] = part.checked
      report = report + part
    }
    return (report, perFile)
  }

  @Test("every formula of the committed course re-evaluates to what it prints")
  func committedCourse() throws {
    let (report, perFile) = try Self.auditCommitted()
    for finding in report.findings.prefix(20) {
      Issue.record(
        "\(finding.file) (\(finding.block ?? "?")\(finding.figure.map { ", figure \($0)" } ?? "")): \"\(finding.text)\" evaluates to \(finding.evaluated)"
      )
    }
    #expect(report.findings.isEmpty)
    // Hundreds of formulas in every format.
    #expect(report.checked > 250, "\(report.checked) formulas checked")
    #expect((perFile["lecture2.md"] ?? 0) >= 15)
    #expect((perFile["lecture2.html"] ?? 0) >= 15)
    #expect((perFile["lecture2.slides.html"] ?? 0) >= 15)
    #expect((perFile["key/exercise1.md"] ?? 0) >= 10)
    #expect((perFile["lecture4.md"] ?? 0) >= 10)
    print("formula audit: \(report.checked) checked, \(report.unresolved) unresolved")
    for sample in report.unresolvedSamples { print("unresolved: \(sample)") }
  }

  @Test("the evaluator: precedence, implicit products, printed precision")
  func evaluator() throws {
    let e = Evaluator()
    let update = try e.evaluate("-0.3 + (0.9)(0.1312)(0.332)")
    #expect(update.meets(try e.evaluate("-0.261")))
    // −0.3 and 0.9 are printed with one decimal: they stand for ±0.05 each.
    #expect(update.meets(try e.evaluate("-0.27")))
    #expect(!update.meets(try e.evaluate("-0.4")))
    let error = try e.evaluate("(0.474)(1 − 0.474)(1 − 0.474)")
    let (close, far) = (try e.evaluate("0.1312"), try e.evaluate("0.1330"))
    #expect(error.meets(close) && !error.meets(far))
    // The label the reader found: as written, −z + b, not −(z + b).
    let names = Evaluator(names: [
      "w1": Interval(exactly: 0.8), "x1": Interval(exactly: 1.5), "w2": Interval(exactly: 0.4),
      "x2": Interval(exactly: -0.5), "b": Interval(exactly: -0.2),
    ])
    let wrong = try names.evaluate("−((w1·x1) + (w2·x2)) + b")
    #expect(abs(wrong.middle - -1.2) < 1e-12)
    let right = try names.evaluate("−(((w1·x1) + (w2·x2)) + b)")
    #expect(abs(right.middle - -0.8) < 1e-12)
    #expect(try e.evaluate("2^3") == Interval(exactly: 8))
    #expect(try e.evaluate("−2²") == Interval(exactly: -4))
    #expect(try e.evaluate("3(1 + 1)") == Interval(exactly: 6))
    #expect(abs(try e.evaluate("exp(0)").middle - 1) < 1e-15)
    #expect(throws: Evaluator.Failure.unknownName("q")) { try e.evaluate("q + 1") }
    #expect(throws: Evaluator.Failure.notAFormula) { try e.evaluate("∂L/∂w") }
    // Whole numbers are exact; a number with d decimals is ±½·10⁻ᵈ.
    #expect(try e.evaluate("1") == Interval(exactly: 1))
    let half = try e.evaluate("0.25")
    #expect(abs(half.low - 0.245) < 1e-15 && abs(half.high - 0.255) < 1e-15)
    let small = try e.evaluate("8.0e-07")
    #expect(abs(small.high - 8.05e-7) < 1e-20)
  }

  @Test("a page whose formula is off is caught, located at its block and figure")
  func catchesAWrongFormula() {
    let markdown = """
      <!-- nbrun: backward hk -->

      | Weight or Bias | New Value |
      |---|---|
      | w46 | -0.3 + (0.9)(0.1312)(0.332) = -0.261 |
      | w56 | -0.2 + (0.9)(0.1312)(0.525) = -0.338 |

      ![A graph](l_files/fig-2.svg)

      <!-- /nbrun -->
      """
    let svg = """
      <svg><text x="1">w1 = 0.8</text><text>x1 = 1.5</text><text>w2 = 0.4</text>
      <text>x2 = -0.5</text><text>b = -0.2</text>
      <text>w1·x1 = 1.2</text><text>−((w1·x1) + (w2·x2)) + b = -0.8</text>
      <text>∂L/∂w1·x1 = -0.31</text></svg>
      """
    let report = FormulaAudit.markdown(markdown, file: "l.md") {
      $0 == "l_files/fig-2.svg" ? svg : nil
    }
    #expect(report.checked == 4)
    #expect(report.findings.count == 2)
    let table = report.findings.first { $0.figure == nil }
    #expect(table?.text == "-0.2 + (0.9)(0.1312)(0.525) = -0.338")
    #expect(table?.block == "backward hk")
    let figure = report.findings.first { $0.figure == 2 }
    #expect(figure?.text == "−((w1·x1) + (w2·x2)) + b = -0.8")
    #expect(abs((figure?.evaluated ?? 0) - -1.2) < 1e-12)
    // The same table in HTML.
    let html = """
      <section class="result" data-block="backward hk"><table><tr><td>w56</td>
      <td class="formula">-0.2 + (0.9)(<span class="answer">0.1312</span>)(0.525) = -0.338</td></tr></table></section>
      """
    let fromHTML = FormulaAudit.html(html, file: "l.html")
    #expect(fromHTML.findings.map(\.text) == ["-0.2 + (0.9)(0.1312)(0.525) = -0.338"])
    // And as a notebook's stored output.
    let notebook = """
      {"cells": [{"cell_type": "code", "source": [], "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": [
          "| w56 | -0.2 + (0.9)(0.1312)(0.525) = -0.338 |\\n",
          "| w46 | -0.3 + (0.9)(0.1312)(0.332) = -0.261 |\\n"]}}]}],
       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
      """
    let fromNotebook = FormulaAudit.notebook(notebook, file: "l.ipynb")
    #expect(fromNotebook.checked == 2)
    #expect(fromNotebook.findings.map(\.text) == ["-0.2 + (0.9)(0.1312)(0.525) = -0.338"])
  }
}
