/// The candidate closest to a misspelt name by edit distance, if one is close enough to be
/// a plausible typo (at most a third of the name's length, and at least one edit).
public func closestName(to name: String, among candidates: [String]) -> String? {
  let target = Array(name.lowercased())
  let limit = max(1, target.count / 3)
  var best: (String, Int)?
  for candidate in candidates.sorted() {
    let distance = editDistance(target, Array(candidate.lowercased()))
    if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
  }
  return best?.0
}

/// Levenshtein distance, with a transposition of neighbours counted as one edit.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous2 = Array(repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = Array(repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        current[j] = min(current[j], previous2[j - 2] + 1)
      }
    }
    (previous2, previous, current) = (previous, current, previous2)
  }
  return previous[b.count]
}
