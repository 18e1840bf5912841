import Figures
import Foundation
import Notebook
import Testing

@testable import Runner

@Suite("Documentation")
struct ReferenceTests {
  /// docs/directives.md is generated from the directives' option declarations; re-record it
  /// with `swift run nbrun --reference > docs/directives.md`.
  @Test func theDirectiveReferenceIsUpToDate() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("docs/directives.md")
    let committed = try String(contentsOf: url, encoding: .utf8)
    #expect(
      committed == DirectiveReference.markdown,
      "run: swift run nbrun --reference > docs/directives.md")
    for kind in DirectiveKind.allCases {
      #expect(committed.contains("## `\(kind.rawValue)`"))
      for name in DirectiveRegistry.type(of: kind).optionNames {
        #expect(committed.contains("| `\(name)`"), "\(kind.rawValue): \(name)")
      }
    }
  }

  /// Every table row of the reference has as many cells as its table's header: a `|` inside
  /// a description is escaped, never a column break.
  @Test func everyReferenceRowHasItsCells() {
    var columns: Int?
    var rows = 0
    for line in DirectiveReference.markdown.split(separator: "\n", omittingEmptySubsequences: false)
    {
      guard line.hasPrefix("|") else {
        columns = nil
        continue
      }
      let cells = line.replacing("\\|", with: "").split(
        separator: "|", omittingEmptySubsequences: false
      ).count
      if let columns {
        #expect(cells == columns, "\(line)")
        rows += 1
      } else {
        columns = cells
      }
    }
    #expect(rows >= 200, "the reference has its tables")
  }

  /// The documented default rate is the one each optimizer uses.
  @Test func trainingRateDefaultsAreTheEngines() {
    let text = DirectiveReference.markdown
    for name in OptimizerName.allCases {
      let rate = name.optimizer(rate: nil)?.learningRate ?? .nan
      #expect(text.contains("\(name.rawValue) \(NumberText.plain(rate))"), "\(name.rawValue)")
    }
    #expect(OptimizerName.adam.defaultRate == 0.001)
    #expect(OptimizerName.sgd.defaultRate == 0.01)
    #expect(OptimizerName.adadelta.defaultRate == 0.001)
  }
}
