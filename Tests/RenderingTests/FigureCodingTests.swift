import Figures
import Foundation
import Testing

/// A cached figure is one flat list of strings (its tree in pre-order): it reads back to
/// the same SVG, and a damaged list is refused, never trusted or crashed on.
@Suite struct FigureCodingTests {
  let figure = Figure(
    width: 320, height: 200, title: "Loss", description: "the loss by epoch", caption: "Loss",
    content: [
      SVGElement(
        "g", [("class", "axis"), ("transform", "translate(40 10)")],
        children: [
          SVGElement("line", [("x1", "0"), ("x2", "240")]),
          SVGElement("text", [("x", "3")], text: "epoch & \"loss\" < 1"),
          SVGElement("g", children: [SVGElement("circle", [("r", "2")]), SVGElement("path")]),
        ]),
      SVGElement("text", text: ""),
    ])

  @Test func aFigureReadsBackToTheSameSVG() throws {
    let data = try JSONEncoder().encode(figure)
    let back = try JSONDecoder().decode(Figure.self, from: data)
    #expect(back.svg(id: "f") == figure.svg(id: "f"))
    #expect(back.content.map(\.markup) == figure.content.map(\.markup))
    #expect(back.content[1].text == "", "an empty text stays a text")
    let tokens = try JSONDecoder().decode(
      [String].self, from: JSONEncoder().encode(figure.content[0]))
    #expect(
      Array(tokens.prefix(7)) == ["g", "2", "class", "axis", "transform", "translate(40 10)", "-"])
  }

  @Test func aDamagedListIsRefused() throws {
    func decodes(_ tokens: [String]) -> Bool {
      guard let data = try? JSONEncoder().encode(tokens) else { return false }
      return (try? JSONDecoder().decode(SVGElement.self, from: data)) != nil
    }
    #expect(decodes(["path", "0", "-", "0"]))
    #expect(!decodes(["path", "0", "-", "0", "extra"]), "tokens left over")
    #expect(!decodes(["path", "1", "d"]), "an attribute without its value")
    #expect(!decodes(["path", "0", "?", "0"]), "neither text nor its absence")
    #expect(!decodes(["g", "0", "-", "3", "path", "0", "-", "0"]), "children missing")
    #expect(!decodes(["g", "0", "-", "99999999999"]), "a count the list cannot hold")
    #expect(!decodes(["g", "-1", "-", "0"]))
    // A chain 100,000 deep is refused without recursion (a figure is a few levels deep).
    let deep =
      Array(repeating: ["g", "0", "-", "1"], count: 100_000).flatMap { $0 } + [
        "path", "0", "-", "0",
      ]
    #expect(!decodes(deep))
    let shallow =
      Array(repeating: ["g", "0", "-", "1"], count: 20).flatMap { $0 } + [
        "path", "0", "-", "0",
      ]
    #expect(decodes(shallow))
  }
}
