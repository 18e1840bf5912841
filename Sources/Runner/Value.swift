/// A named result a later block, an expectation or the prose can refer to: `hk.O6`.
public enum Value: Codable, Hashable, Sendable, CustomStringConvertible {
  case number(Double)
  case bool(Bool)
  case text(String)

  public var number: Double? {
    if case .number(let value) = self { return value }
    return nil
  }

  public var description: String {
    switch self {
    case .number(let value): "\(value)"
    case .bool(let value): value ? "true" : "false"
    case .text(let value): value
    }
  }
}
