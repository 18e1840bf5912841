import Figures
import Notebook

/// The options every directive takes.
public struct CommonOptions: DeclaredOptions, Sendable {
  public var caption: String?
  public var label: String?
  public var title: String?
  public var echo = Echo.none
  public var results = Visibility.show
  public var precision: Int?
  public var notation: Notation?
  public var seed: UInt64?
  public var timeout: Double?
  public var expectError: String?
  public var blank: [String] = []
  public var tolerance: Tolerance?
  public var vary: [Variants.Variable] = []
  public var reveal: Reveal?

  public init() {}

  /// What a handout shows beside a block's results: nothing, the directive itself, or the
  /// generated code that recomputes them (NumPy, runnable; Keras, as text).
  public enum Echo: String, OptionChoice {
    case none, source, numpy, keras
    static let aliases: [String: Echo] = [
      "false": .none, "no": .none, "true": .source, "yes": .source, "python": .numpy,
    ]
    /// Whether the directive's own source is shown.
    public var showsSource: Bool { self == .source }
    /// Whether generated code is shown.
    public var showsCode: Bool { self == .numpy || self == .keras }
  }

  /// How a block's results build up on a slide, one click at a time.
  public enum Reveal: String, OptionChoice {
    /// Each table row appears on its own click.
    case rows
  }

  /// Whether a block's results are shown or only kept for later blocks.
  public enum Visibility: String, OptionChoice {
    case show, hide
  }

  static var fields: [OptionField<CommonOptions>] {
    [
      .option(
        "caption", \.caption, .text, "the caption of the block's table or figure",
        example: "caption: Net input and output"),
      .option(
        "label", \.label, .name, "an anchor for the result, to link to as `#label`",
        example: "label: tab-forward"),
      .option(
        "title", \.title, .text,
        "the name readers see: on a model, a training run or a data set, in every figure title, legend and caption that names it; on a plot, the figure's title",
        example: "title: SGD, η = 0.001",
        default:
          "a description (a run's optimizer and rate, a network's layer sizes), else the block's name"
      ),
      .option(
        "echo", \.echo, .choice,
        "show the directive's source (`true`), or the NumPy code that recomputes its results (`numpy`, the code of the exported notebook), or a Keras sketch (`keras`, text), beside its results",
        example: "echo: numpy"),
      .option(
        "results", \.results, .choice, "show the results, or hide them (values stay usable)",
        example: "results: hide"),
      .option(
        "precision", \.precision, .integer(in: 0...12), "decimals for this block's numbers",
        example: "precision: 3", default: "the front matter's `precision` (4)"),
      .option(
        "notation", \.notation, .choice, "`unit` or `layer` names in this block's tables",
        example: "notation: layer", default: "the front matter's `notation` (`unit`)"),
      .option(
        "seed", \.seed, .seed,
        "seeds what the block draws (initial weights, generated data, shuffling)",
        example: "seed: 7", default: "the front matter's `seed` (0)"),
      .option(
        "timeout", \.timeout, .seconds,
        "seconds the block may run before it is stopped (checked between batches)",
        example: "timeout: 30", default: "none; the run's `--budget` still applies"),
      .option(
        "expect_error", \.expectError, .text,
        "the block is meant to fail with a message containing this text; the handout shows the error",
        example: "expect_error: NCOL(X) == NROW(W)"),
      .option(
        "blank", \.blank, .words,
        "for students: result cells left empty, by value name; the key fills them in",
        example: "blank: Err4 new_w46"),
      .option(
        "tolerance", \.tolerance, .tolerance,
        "how far a student's answer to this block's blanks may be off: a number, or a percentage",
        example: "tolerance: 0.001", default: "one unit of the last decimal shown"),
      .option(
        "vary", \.vary, .variables,
        "for per-student variants: one `name in low..high by step` per line",
        example: "vary:\n  w14 in -0.5..0.5 by 0.1"),
      .option(
        "reveal", \.reveal, .choice,
        "on slides (`--to slides`), show the block's table rows one click at a time; handouts show them all",
        example: "reveal: rows", default: "everything at once"),
    ]
  }

  /// The names every directive accepts.
  static let names = Set(fields.map(\.name))
}

extension Notation: OptionChoice {}

/// How far an answer may be off: absolute, or relative to the answer.
public struct Tolerance: Hashable, Sendable {
  public var value: Double
  public var relative: Bool

  /// `0.001` (absolute) or `1%` (relative), or `nil` if malformed.
  public init?(_ text: String) {
    let trimmed = text.trimmed
    if trimmed.hasSuffix("%") {
      guard let percent = DirectiveOption.parseNumber(String(trimmed.dropLast())), percent >= 0
      else { return nil }
      (value, relative) = (percent / 100, true)
    } else {
      guard let absolute = DirectiveOption.parseNumber(trimmed), absolute >= 0 else { return nil }
      (value, relative) = (absolute, false)
    }
  }

  public init(value: Double, relative: Bool) {
    self.value = value
    self.relative = relative
  }
}

extension OptionType where Value == Tolerance {
  static var tolerance: Self {
    OptionType("a number ≥ 0, or a percentage like `1%`") { option in
      guard let tolerance = Tolerance(option.value) else {
        throw BlockError(
          "the tolerance is a number ≥ 0 or a percentage like 1%, not '\(option.value.trimmed)'",
          at: option)
      }
      return tolerance
    } show: {
      $0.relative ? "\(NumberText.plain($0.value * 100))%" : NumberText.plain($0.value)
    }
  }
}

extension OptionType where Value == [Variants.Variable] {
  /// `vary:` lines, `name in low..high by step`.
  static var variables: Self {
    OptionType("one `name in low..high by step` per line") { option in
      try option.value.split(separator: "\n").map { line in
        guard let variable = Variants.parse(String(line)) else {
          throw BlockError(
            "expected 'name in low..high by step', found '\(String(line).trimmed)'", at: option,
            hint: "e.g. 'w14 in -0.5..0.5 by 0.1'")
        }
        return variable
      }
    } show: {
      $0.map { "\($0.name) in \($0.low)..\($0.high) by \($0.step)" }.joined(separator: "; ")
    }
  }
}
