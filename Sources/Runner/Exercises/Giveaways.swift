import Notebook

/// Values a student sheet must hide besides its blanks: those that give a blank away.
/// An updated weight `new_w14 = w14 + η·Err4·O1` shown beside a blank `Err4` lets a
/// student solve for the blank; so does a gradient beside its blanked update (or the
/// reverse), and a net input `I4` beside a blanked output `O4 = σ(I4)`. Such values are
/// blanked in the student build too (not graded; the key shows them).
enum Giveaways {
  /// The keys among `shown` that reveal one of `blanked`. Linear in both.
  static func revealing(_ shown: Set<ValueKey>, blanked: Set<ValueKey>) -> Set<ValueKey> {
    // What is blanked, by owner and quantity (any sample).
    struct Hidden: Hashable {
      var owner: String
      var quantity: Quantity
    }
    let hidden = Set(blanked.map { Hidden(owner: $0.owner, quantity: $0.quantity) })
    var revealing: Set<ValueKey> = []
    for key in shown where !blanked.contains(key) {
      func isHidden(_ quantity: Quantity) -> Bool {
        hidden.contains(Hidden(owner: key.owner, quantity: quantity))
      }
      /// A gradient or update of `parameter` reveals the other, and the error of the unit
      /// the parameter feeds.
      func revealsUpdate(_ other: Quantity, _ parameter: String) -> Bool {
        isHidden(other) || target(of: parameter).map { isHidden(.error(unit: $0)) } ?? false
      }
      let reveals: Bool
      switch key.quantity {
      case .updated(let parameter):
        reveals = revealsUpdate(.gradient(parameter: parameter), parameter)
      case .gradient(let parameter):
        reveals = revealsUpdate(.updated(parameter: parameter), parameter)
      case .netInput(let unit): reveals = isHidden(.output(unit: unit))
      case .output(let unit): reveals = isHidden(.netInput(unit: unit))
      case .error, .delta, .other: reveals = false
      }
      if reveals { revealing.insert(key) }
    }
    return revealing
  }

  /// The unit a parameter feeds: `w46` → `6`, `w3,12` → `12`, `θ4` → `4`.
  static func target(of parameter: String) -> String? {
    if parameter.hasPrefix("θ") { return String(parameter.dropFirst()) }
    guard parameter.hasPrefix("w") else { return nil }
    let labels = parameter.dropFirst()
    if let comma = labels.firstIndex(of: ",") {
      return String(labels[labels.index(after: comma)...])
    }
    return labels.count == 2 ? String(labels.suffix(1)) : nil
  }

  /// Every key a run's tables show, in cells and inside formulas.
  static func shownKeys(_ outcomes: [BlockOutcome]) -> Set<ValueKey> {
    var keys: Set<ValueKey> = []
    for outcome in outcomes where outcome.block.kind != .expect {
      for case .table(let table) in outcome.items { keys.formUnion(table.keys) }
    }
    return keys
  }
}
