import Foundation
import Notebook
import Testing

@testable import Runner

/// Issue 26: a value's quantity is a `Quantity`, read from text in one place; the
/// factories and the parser agree, and the give-away rules switch over its cases.
@Suite("Value names")
struct ValueKeyTests {
  @Test("every key the course's committed results hold reads back as itself")
  func courseKeysRoundTrip() throws {
    let output = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("output")
    var count = 0
    var kinds: Set<String> = []
    for folder in try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
    where folder.hasSuffix("_files") {
      let file = output.appendingPathComponent(folder).appendingPathComponent("results.json")
      guard let data = try? Data(contentsOf: file) else { continue }
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      for row in try #require(json["values"] as? [[String: Any]]) {
        let text = try #require(row["key"] as? String)
        let key = try #require(ValueKey(parsing: text), "\(text)")
        #expect(key.description == text)
        #expect(Quantity(key.quantity.description) == key.quantity)
        kinds.insert(Self.caseName(key.quantity))
        count += 1
      }
    }
    #expect(count > 500)
    // The course uses every structured case.
    #expect(
      kinds.isSuperset(of: ["netInput", "output", "error", "delta", "gradient", "updated", "other"]
      ), "\(kinds)")
  }

  static func caseName(_ quantity: Quantity) -> String {
    switch quantity {
    case .netInput: "netInput"
    case .output: "output"
    case .error: "error"
    case .delta: "delta"
    case .gradient: "gradient"
    case .updated: "updated"
    case .other: "other"
    }
  }

  @Test("the factories make the keys the parser reads")
  func factoriesAgreeWithTheParser() {
    let pairs: [(ValueKey, String)] = [
      (.netInput("hk", unit: "6"), "hk.I6"),
      (.output("hk", unit: "6", sample: 1), "hk.O6[2]"),
      (.error("hk", unit: "4"), "hk.Err4"),
      (.delta("hk", unit: "4"), "hk.delta4"),
      (.layerDelta("n", layer: 1, unit: 0), "n.delta2_1"),
      (.gradient("hk", parameter: "w46"), "hk.grad_w46"),
      (.updated("hk", parameter: "θ6"), "hk.new_θ6"),
      (.parameter("hk", "w46"), "hk.w46"),
      (.named("fit", "loss", epoch: 100), "fit.loss@100"),
      (.part("digits", "train", "samples"), "digits.train.samples"),
      (.derivative("g", of: "J", by: "a"), "g.dJ/da"),
      (.layerOutput("n", layer: 0, unit: 1), "n.a1_2"),
    ]
    for (made, text) in pairs {
      #expect(ValueKey(parsing: text) == made, "\(text)")
      #expect(made.description == text)
    }
    #expect(ValueKey(parsing: "hk.O6")?.quantity == .output(unit: "6"))
    #expect(ValueKey(parsing: "hk.new_w46")?.quantity == .updated(parameter: "w46"))
    #expect(ValueKey(parsing: "fit.loss")?.quantity == .other("loss"))
    // A case made directly equals the one read from its text.
    #expect(ValueKey(owner: "x", quantity: .other("Ifoo")) == ValueKey(parsing: "x.Ifoo"))
  }

  @Test("a shown update, gradient or net input that gives a blank away is hidden too")
  func giveaways() {
    let blanked: Set<ValueKey> = [.error("hk", unit: "4"), .output("hk", unit: "6")]
    let shown: Set<ValueKey> = [
      .updated("hk", parameter: "w14"), .gradient("hk", parameter: "w15"),
      .updated("hk", parameter: "w25"), .netInput("hk", unit: "6"), .netInput("hk", unit: "5"),
      .netInput("other", unit: "6"), .gradient("hk", parameter: "θ4"),
    ]
    #expect(
      Giveaways.revealing(shown, blanked: blanked) == [
        .updated("hk", parameter: "w14"), .netInput("hk", unit: "6"),
        .gradient("hk", parameter: "θ4"),
      ])
  }
}
