import Notebook
import Spelling

/// The labels and references of a run, checked: every `@fig-…`, `@tbl-…`, `@eq-…` names a
/// label, no label is used twice, and a figure's or table's label stands on a block that
/// makes one.
enum CrossReferenceCheck {
  static func diagnostics(document: Document, outcomes: [BlockOutcome]) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    var seen: [String: SourceLocation] = [:]
    func claim(_ label: String, at location: SourceLocation, line: String) {
      if let first = seen[label] {
        diagnostics.append(
          Diagnostic(
            path: document.path, location: location,
            message: "the label '\(label)' is already used on line \(first.line)",
            hint: "a label names one figure, table or equation: rename one of them",
            sourceLine: line, length: label.utf8.count))
      } else {
        seen[label] = location
      }
    }
    for outcome in outcomes {
      guard let option = outcome.block.option("label") else { continue }
      let label = option.value.trimmed
      claim(label, at: option.valueLocation, line: option.sourceLine)
      guard case .succeeded = outcome.status, let kind = CrossReference.kind(of: label) else {
        continue
      }
      let makes: Bool
      switch kind {
      case .figure: makes = outcome.items.contains { if case .figure = $0 { true } else { false } }
      case .table: makes = outcome.items.contains { if case .table = $0 { true } else { false } }
      case .equation: makes = false
      }
      if !makes {
        diagnostics.append(
          Diagnostic(
            path: document.path, location: option.valueLocation,
            message:
              "the label '\(label)' names \(kind == .equation ? "an equation" : "a \(kind.word.lowercased())"), but this \(outcome.block.kind.rawValue) block shows none",
            hint: kind == .equation
              ? "label a display equation in prose: $$ … $$ {#\(label)}"
              : "put 'label: \(kind == .figure ? "tbl" : "fig")-…' here if it names the block's \(kind == .figure ? "table" : "figure"), or a plain name ('label: \(label.dropFirst(kind.rawValue.count + 1))') for an anchor",
            sourceLine: option.sourceLine, length: label.utf8.count))
      }
    }
    for equation in document.equationLabels {
      claim(
        equation.label, at: equation.location,
        line: document.lines.indices.contains(equation.location.line - 1)
          ? document.lines[equation.location.line - 1] : "")
    }
    let known = Array(seen.keys)
    for use in document.crossReferenceUses where seen[use.label] == nil {
      let line =
        document.lines.indices.contains(use.location.line - 1)
        ? document.lines[use.location.line - 1] : ""
      let hint: String
      if let guess = closestName(to: use.label, among: known) {
        hint = "did you mean @\(guess)?"
      } else {
        switch use.kind {
        case .figure, .table:
          hint =
            "label the \(use.kind.word.lowercased()) with 'label: \(use.label)' on the block that makes it"
        case .equation: hint = "label the equation: $$ … $$ {#\(use.label)}"
        }
      }
      diagnostics.append(
        Diagnostic(
          path: document.path, location: use.location,
          message: "\(use.text) refers to no label in this notebook", hint: hint, sourceLine: line,
          length: use.range.count))
    }
    return diagnostics
  }
}
