import Foundation

/// A linear or logarithmic axis: the data range, the pixel range, and tick positions at
/// "nice" values (1, 2, 5 × 10ⁿ; powers of ten on a log axis).
public struct Axis: Hashable, Sendable {
  public enum Scale: String, Hashable, Sendable { case linear, log }

  public var low: Double
  public var high: Double
  public var scale: Scale

  /// An axis covering the values, padded to nice ticks (a log axis ignores values ≤ 0).
  public init(covering values: [Double], scale: Scale = .linear, includeZero: Bool = false) {
    self.scale = scale
    let finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
    var low = finite.min() ?? 0
    var high = finite.max() ?? 1
    if scale == .log {
      low = pow(10, floor(log10(max(low, 1e-300))))
      high = pow(10, ceil(log10(max(high, low * 10))))
      if high <= low { high = low * 10 }
    } else {
      if includeZero { low = min(low, 0) }
      if high == low {
        low -= 0.5
        high += 0.5
      }
      let step = Axis.niceStep((high - low) / 5)
      low = floor(low / step) * step
      high = ceil(high / step) * step
    }
    self.low = low
    self.high = high
  }

  /// Where a value falls between 0 (low) and 1 (high).
  public func fraction(_ value: Double) -> Double {
    switch scale {
    case .linear: return high > low ? (value - low) / (high - low) : 0.5
    case .log:
      guard value > 0 else { return 0 }
      return (log10(value) - log10(low)) / max(1e-12, log10(high) - log10(low))
    }
  }

  /// Tick values, about five of them.
  public var ticks: [Double] {
    switch scale {
    case .linear:
      let step = Axis.niceStep((high - low) / 5)
      var values: [Double] = []
      var k = (low / step).rounded(.up)
      while k * step <= high + step * 1e-9, values.count < 20 {
        values.append(k * step)
        k += 1
      }
      return values
    case .log:
      let first = Int(log10(low).rounded())
      let last = Int(log10(high).rounded())
      let stride = max(1, (last - first) / 6)
      return Swift.stride(from: first, through: last, by: stride).map { pow(10, Double($0)) }
    }
  }

  /// A tick's label: as few decimals as the step needs. On a log axis every tick is written
  /// one way: plainly (0.01 … 1000) when all of them fit that range, else all as powers of
  /// ten (1e-3, 1e-2, 1e-1), never a mix.
  public func label(_ value: Double) -> String {
    if scale == .log {
      let exponent = Int(log10(value).rounded())
      let plain = ticks.allSatisfy { (-2...3).contains(Int(log10($0).rounded())) }
      return plain ? trimmed(value) : "1e\(exponent)"
    }
    return trimmed(value)
  }

  private func trimmed(_ value: Double) -> String {
    let step = scale == .linear ? Axis.niceStep((high - low) / 5) : value
    let decimals = max(0, min(6, Int(-floor(log10(step)))))
    return NumberText.fixed(value, decimals: decimals)
  }

  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, floor(log10(raw)))
    let residual = raw / magnitude
    let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
    return nice * magnitude
  }
}
