/// A class roster: one student id first on each line (a header line `id,…` or
/// `student,…` is skipped); other columns are carried into the answers file.
public struct Roster: Sendable {
  public var students: [(id: String, extra: [String])]
  public var extraHeader: [String]

  /// A mistake in a roster, said in a sentence that names the file.
  public struct Mistake: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads a roster's text; `name` is how messages name the file.
  public init(parsing text: String, name: String) throws {
    var rows = text.split(whereSeparator: \.isNewline).map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed }
    }
    .filter { !($0.first ?? "").isEmpty }
    extraHeader = []
    if let first = rows.first?.first?.lowercased(), ["id", "student", "student_id"].contains(first)
    {
      extraHeader = Array(rows.removeFirst().dropFirst())
    }
    students = rows.map { ($0.first ?? "", Array($0.dropFirst())) }
    guard !students.isEmpty else {
      throw Mistake(description: "the roster \(name) names no students")
    }
    var seen: Set<String> = []
    for id in students.map(\.id) {
      guard seen.insert(id).inserted else {
        throw Mistake(description: "the roster \(name) names student '\(id)' twice")
      }
      guard Self.isPortable(id) else {
        throw Mistake(
          description: "'\(id)' in \(name) cannot name a folder: use letters, digits, - and _")
      }
    }
  }

  /// Whether an id is a safe, portable folder name: letters, digits, `_`, `-` and `.`, not
  /// starting with `-` or `.`, and no reserved device name (`CON`, `NUL`, `COM1`…).
  static func isPortable(_ id: String) -> Bool {
    guard let first = id.first, first != "-", first != ".", id.count <= 64,
      id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) })
    else { return false }
    let stem = id.split(separator: ".").first.map { $0.uppercased() } ?? ""
    let reserved = ["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] }
    return !reserved.contains(stem)
  }

  /// The answers file with the roster's other columns appended to each student's rows.
  public func carry(_ csv: String) -> String {
    let width = students.map(\.extra.count).max() ?? 0
    guard width > 0 else { return csv }
    let header = (0..<width).map {
      extraHeader.indices.contains($0) ? extraHeader[$0] : "extra\($0 + 1)"
    }
    let byID = Dictionary(students.map { ($0.id, $0.extra) }, uniquingKeysWith: { a, _ in a })
    var lines = csv.split(separator: "\n").map(String.init)
    guard !lines.isEmpty else { return csv }
    lines[0] += "," + header.joined(separator: ",")
    for index in lines.indices.dropFirst() {
      let id = String(lines[index].prefix { $0 != "," })
      let extra = byID[id] ?? []
      lines[index] +=
        "," + (0..<width).map { extra.indices.contains($0) ? extra[$0] : "" }.joined(separator: ",")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
