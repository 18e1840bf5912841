import NeuralEngine
import Notebook
import Spelling

/// A failure inside a block, located where the notebook can be fixed; the session turns it
/// into a ``Diagnostic`` with the notebook's path and source line.
struct BlockError: Error {
  var message: String
  var location: SourceLocation?
  var sourceLine: String?
  var length: Int = 1
  var hint: String?

  init(_ message: String, at option: DirectiveOption? = nil, hint: String? = nil) {
    self.message = message
    self.location = option?.valueLocation
    self.sourceLine = option?.sourceLine
    self.length = max(1, option?.value.split(separator: "\n").first?.count ?? 1)
    self.hint = hint
  }

  /// An error at one word of an option's value (an unknown activation among a layer's words).
  init(_ message: String, at option: DirectiveOption?, word: String, hint: String? = nil) {
    self.init(message, at: option, hint: hint)
    guard let option, let firstLine = option.value.split(separator: "\n").first,
      let found = firstLine.range(of: word)
    else { return }
    let offset = firstLine.utf8.distance(from: firstLine.utf8.startIndex, to: found.lowerBound)
    location = SourceLocation(
      line: option.valueLocation.line, column: option.valueLocation.column + offset)
    length = max(1, word.count)
  }

  init(
    _ message: String, location: SourceLocation, sourceLine: String, length: Int,
    hint: String? = nil
  ) {
    self.message = message
    self.location = location
    self.sourceLine = sourceLine
    self.length = max(1, length)
    self.hint = hint
  }

  init(_ message: String, at text: SourceText, hint: String? = nil) {
    self.message = message
    self.location = text.location
    self.sourceLine = text.sourceLine
    self.length = max(1, text.text.count)
    self.hint = hint
  }
}

/// "did you mean 'x'?" for a misspelt name, or the list of what is known.
func suggestion(for name: String, among known: [String]) -> String {
  if let guess = closestName(to: name, among: known) { return "did you mean '\(guess)'?" }
  return "known: " + known.joined(separator: ", ")
}
