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

  /// Every table row of the reference has its five cells: a `|` inside a description is
  /// escaped, never a column break.
  @Test func everyReferenceRowHasItsCells() {
    for line in DirectiveReference.markdown.split(separator: "\n") where line.hasPrefix("| `") {
      let cells = line.replacing("\\|", with: "").split(
        separator: "|", omittingEmptySubsequences: false)
      #expect(cells.count == 7 || cells.count == 4, "\(line)")
    }
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
