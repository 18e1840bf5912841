/// Values a student sheet must hide besides its blanks: those that give a blank away.
/// An updated weight `new_w14 = w14 + η·Err4·O1` shown beside a blank `Err4` lets a
/// student solve for the blank; so does a gradient beside its blanked update (or the
/// reverse), and a net input `I4` beside a blanked output `O4 = σ(I4)`. Such values are
/// blanked in the student build too (not graded; the key shows them).
enum Giveaways {
  /// The keys among `shown` that reveal one of `blanked`. Linear in both.
  static func revealing(_ shown: Set<ValueKey>, blanked: Set<ValueKey>) -> Set<ValueKey> {
    // What is blanked, by owner and quantity (any sample).
    let hidden = Set(blanked.map { "\($0.owner)\u{1}\($0.quantity)" })
    func isHidden(_ owner: String, _ quantity: String) -> Bool {
      hidden.contains("\(owner)\u{1}\(quantity)")
    }
    var revealing: Set<ValueKey> = []
    for key in shown where !blanked.contains(key) {
      let (owner, quantity) = (key.owner, key.quantity)
      var reveals = false
      for (prefix, other) in [("new_", "grad_"), ("grad_", "new_")] where quantity.hasPrefix(prefix)
      {
        let parameter = String(quantity.dropFirst(prefix.count))
        reveals = isHidden(owner, other + parameter)
        if let unit = target(of: parameter), isHidden(owner, "Err" + unit) { reveals = true }
      }
      if quantity.hasPrefix("I"), isHidden(owner, "O" + quantity.dropFirst()) { reveals = true }
      if quantity.hasPrefix("O"), isHidden(owner, "I" + quantity.dropFirst()) { reveals = true }
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
