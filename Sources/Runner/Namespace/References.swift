import Notebook
import Spelling

extension ValueStore {
  /// The value a reference names as seen from `position`, or a located error that says
  /// what is wrong: a malformed name, an unknown one (with a suggestion), or one that two
  /// blocks define differently.
  func resolve(_ reference: String, at position: Int?) -> Result<(ValueKey, Value), BlockError> {
    guard let key = ValueKey(parsing: reference) else {
      return .failure(
        BlockError(
          "'\(reference)' is not a value name", hint: "name a value as owner.quantity, e.g. hk.O6"))
    }
    switch lookup(key, at: position) {
    case .success(let value): return .success((key, value))
    case .failure(.unknown):
      return .failure(
        BlockError("'\(reference)' names no computed value", hint: suggestion(for: key)))
    case .failure(.ambiguous(let first, let second)):
      return .failure(
        BlockError(
          "'\(reference)' is defined by two blocks with different values: \(first) and \(second)",
          hint:
            "give one of them its own name with 'as:' (e.g. 'as: test') and quote that, e.g. '\(ValueKey(owner: "test", quantity: key.quantity))'"
        ))
    }
  }

  /// "did you mean 'hk.O6'?" for a misspelt reference: among the owner's own values when
  /// the owner exists, among the owners otherwise.
  func suggestion(for key: ValueKey) -> String {
    let owners = owners
    if owners.contains(key.owner) {
      let short = quantities(of: key.owner)
      if let guess = closestName(to: key.local, among: short) {
        return "did you mean '\(key.owner).\(guess)'?"
      }
      return "\(key.owner) has: " + short.prefix(12).joined(separator: ", ")
        + (short.count > 12 ? ", …" : "")
    }
    let sorted = owners.sorted()
    if let guess = closestName(to: key.owner, among: sorted) {
      return "did you mean '\(guess)'? (no results are stored under '\(key.owner)')"
    }
    return "no results are stored under '\(key.owner)'; names defined so far: "
      + sorted.joined(separator: ", ")
  }
}
