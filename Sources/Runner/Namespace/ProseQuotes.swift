import Notebook

/// A value the prose quotes with `{{ … }}`, resolved as of its place in the notebook.
public struct Quote: Hashable, Sendable {
  public var key: ValueKey
  public var value: Value
}

/// The prose's `{{ … }}` placeholders, each resolved against the values as they stand at
/// its place (a model's weights after the blocks above it), or reported.
struct ProseQuotes {
  var quotes: [SourceLocation: Quote] = [:]
  var diagnostics: [Diagnostic] = []

  /// The most placeholder mistakes reported one by one.
  static let reported = 1_000

  init(document: Document, values: ValueStore, deadline: Deadline = .none, base: Int = 0) {
    var unreported = 0
    defer {
      if unreported > 0 {
        diagnostics.append(
          Diagnostic(
            path: document.path,
            location: diagnostics.last?.location ?? SourceLocation(line: 1, column: 1),
            message:
              "\(unreported) more placeholders were not checked after \(Self.reported) mistakes",
            hint: "fix the mistakes above and run again"))
      }
    }
    // A placeholder sees the values of the directive blocks above it.
    let starts = document.directives.map(\.range.start.line)
    var position = 0
    for (index, placeholder) in document.placeholders.enumerated() {
      if index % 256 == 255, deadline.passed {
        diagnostics.append(
          Diagnostic(
            path: document.path, location: placeholder.location,
            message: deadline.message(while: "filling in the prose's placeholders"),
            hint: "raise --budget, or split the notebook into smaller ones"))
        return
      }
      while position < starts.count, starts[position] < placeholder.line { position += 1 }
      let location = placeholder.location
      let text =
        document.lines.indices.contains(placeholder.line - 1)
        ? document.lines[placeholder.line - 1] : ""
      // A thousand mistakes say enough; the rest are counted, not each resolved.
      if diagnostics.count >= Self.reported {
        unreported += 1
        continue
      }
      if let problem = placeholder.problem {
        diagnostics.append(
          Diagnostic(
            path: document.path, location: location, message: problem,
            hint:
              "compute it in an 'expr' block (e.g. 'd = fd.L1 - fd.L2') and quote that, e.g. {{ NAME.d }}",
            sourceLine: text, length: placeholder.range.count))
        continue
      }
      switch values.resolve(placeholder.reference, at: base + position) {
      case .success(let (key, value)):
        quotes[location] = Quote(key: key, value: value)
      case .failure(let error):
        diagnostics.append(
          Diagnostic(
            path: document.path, location: location, message: error.message, hint: error.hint,
            sourceLine: text, length: placeholder.range.count))
      }
    }
  }
}
