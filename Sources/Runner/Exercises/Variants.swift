import Figures
import NeuralEngine
import Notebook

/// Per-student variants: the notebook's `vary:` lines, drawn from a seed derived from the
/// notebook, the student's id and the variable, so the same id always gets the same numbers
/// on any machine.
public enum Variants {
  /// A variable: `w14 in -0.5..0.5 by 0.1`.
  public struct Variable: Hashable, Sendable {
    public var name: String
    public var low: Double
    public var high: Double
    public var step: Double
  }

  /// The document with every varied number drawn for one student (attempt 0 first; a later
  /// attempt draws again, for when an attempt broke an expectation). Also returns what was
  /// drawn (`hk.w14` → value), and any mistakes in the `vary:` lines.
  public static func apply(to document: Document, notebook: String, student: String, attempt: Int)
    -> (Document, drawn: [ValueKey: Double], [Diagnostic])
  {
    var copy = document
    var drawn: [ValueKey: Double] = [:]
    var diagnostics: [Diagnostic] = []
    for (index, block) in copy.blocks.enumerated() {
      guard case .directive(var directive) = block, let vary = directive.option("vary") else {
        continue
      }
      for (offset, line) in vary.value.split(separator: "\n").enumerated() {
        let location = SourceLocation(
          line: vary.valueLocation.line + offset, column: vary.valueLocation.column)
        guard let variable = parse(String(line)) else {
          diagnostics.append(
            Diagnostic(
              path: document.path, location: location,
              message: "expected 'name in low..high by step', found '\(line)'",
              hint: "e.g. 'w14 in -0.5..0.5 by 0.1'", sourceLine: vary.sourceLine))
          continue
        }
        let value = draw(
          variable, seed: "\(notebook)|\(student)|\(directive.title)|\(variable.name)|\(attempt)")
        let text = NumberText.trimmed(value, decimals: decimals(of: variable.step))
        if substitute(variable.name, with: text, in: &directive) {
          drawn[
            ValueKey(owner: directive.name ?? directive.kind.rawValue, quantity: variable.name)] =
            value
        } else {
          diagnostics.append(
            Diagnostic(
              path: document.path, location: location,
              message:
                "'\(variable.name)' matches no option and no \(variable.name)=… in this block",
              hint: "vary an option (rate, seed…) or a named value (w14=0.2)",
              sourceLine: vary.sourceLine))
        }
      }
      copy.blocks[index] = .directive(directive)
    }
    return (copy, drawn, diagnostics)
  }

  /// What drawing a student's variant gave: the run that kept every expectation, or the
  /// last attempt's when none did in ``maximumAttempts``; mistakes in the `vary:` lines.
  public struct Draw: Sendable {
    public var result: RunResult?
    public var lastAttempt: RunResult?
    public var mistakes: [Diagnostic]
  }

  /// How often a student's numbers are drawn again when they break an expectation.
  public static let maximumAttempts = 10

  /// Draws a student's numbers and runs the notebook with them, drawing again (up to
  /// ``maximumAttempts`` times) while the run breaks an expectation: expectations are how
  /// an author constrains draws.
  public static func draw(
    _ document: Document, notebook: String, student: String,
    run: (Document) -> RunResult
  ) -> Draw {
    var last: RunResult?
    for attempt in 0..<maximumAttempts {
      let (variant, _, mistakes) = apply(
        to: document, notebook: notebook, student: student, attempt: attempt)
      guard mistakes.isEmpty else { return Draw(result: nil, lastAttempt: nil, mistakes: mistakes) }
      let result = run(variant)
      if result.succeeded { return Draw(result: result, lastAttempt: result, mistakes: []) }
      last = result
    }
    return Draw(result: nil, lastAttempt: last, mistakes: [])
  }

  static func parse(_ line: String) -> Variable? {
    let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
    guard words.count == 5, words[1] == "in", words[3] == "by" else { return nil }
    let bounds = words[2].components(separatedBy: "..")
    guard bounds.count == 2, let low = DirectiveOption.parseNumber(bounds[0]),
      let high = DirectiveOption.parseNumber(bounds[1]),
      let step = DirectiveOption.parseNumber(words[4]),
      low <= high, step > 0, (high - low) / step < 1_000_000
    else { return nil }
    return Variable(name: words[0], low: low, high: high, step: step)
  }

  /// One of low, low + step, … ≤ high, uniformly.
  static func draw(_ variable: Variable, seed: String) -> Double {
    var generator = RandomGenerator(seed: stableHash(seed))
    let count = Int(((variable.high - variable.low) / variable.step + 1e-9).rounded(.down)) + 1
    return variable.low + variable.step * Double(generator.nextInt(below: max(1, count)))
  }

  /// Replaces an option's whole value (`rate`) or every `name=number` inside one
  /// (`w14=0.2`), whatever spaces or line breaks surround it.
  static func substitute(_ name: String, with text: String, in block: inout DirectiveBlock) -> Bool
  {
    var found = false
    for index in block.options.indices where block.options[index].key != "vary" {
      if block.options[index].key == name {
        block.options[index].value = text
        found = true
        continue
      }
      var characters = Array(block.options[index].value)
      let pattern = Array(name + "=")
      var k = 0
      while k + pattern.count <= characters.count {
        let atBoundary = k == 0 || characters[k - 1].isWhitespace || characters[k - 1] == ","
        guard atBoundary, Array(characters[k..<(k + pattern.count)]) == pattern else {
          k += 1
          continue
        }
        var end = k + pattern.count
        while end < characters.count, !characters[end].isWhitespace, characters[end] != "," {
          end += 1
        }
        characters.replaceSubrange((k + pattern.count)..<end, with: Array(text))
        found = true
        k += pattern.count + text.count
      }
      block.options[index].value = String(characters)
    }
    return found
  }

  static func decimals(of step: Double) -> Int {
    var decimals = 0
    var scaled = step
    while decimals < 8, scaled != scaled.rounded() {
      scaled *= 10
      decimals += 1
    }
    return decimals
  }

  /// FNV-1a over the UTF-8 bytes: the same on every machine and run.
  static func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }
}
