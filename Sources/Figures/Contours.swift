/// Iso-lines of a grid of values by marching squares: for a level, the polylines along
/// which the linearly interpolated field equals it. Each grid cell is visited once and each
/// segment joined to its neighbours through the grid edge they share, so the work is
/// linear in the grid.
public enum Contours {
  /// A point in grid coordinates: `column` and `row` of the sample grid, fractional.
  public struct Point: Sendable, Equatable {
    public var column: Double
    public var row: Double
  }

  /// The polylines where `values` (`values[row][column]`) crosses `level`. A saddle cell is
  /// resolved by its centre's value; non-finite samples end a line.
  public static func lines(_ values: [[Double]], level: Double) -> [[Point]] {
    let rows = values.count
    let columns = values.first?.count ?? 0
    guard rows >= 2, columns >= 2, values.allSatisfy({ $0.count == columns }) else { return [] }
    // An edge is named by its cell corner and direction: horizontal edges run from
    // (r, c) to (r, c+1), vertical ones from (r, c) to (r+1, c).
    func horizontal(_ r: Int, _ c: Int) -> Int { (r * columns + c) * 2 }
    func vertical(_ r: Int, _ c: Int) -> Int { (r * columns + c) * 2 + 1 }
    func crossing(_ edge: Int) -> Point {
      let corner = edge / 2
      let (r, c) = (corner / columns, corner % columns)
      let a = values[r][c]
      let b = edge % 2 == 0 ? values[r][c + 1] : values[r + 1][c]
      let t = a == b ? 0.5 : min(1, max(0, (level - a) / (b - a)))
      return edge % 2 == 0
        ? Point(column: Double(c) + t, row: Double(r))
        : Point(column: Double(c), row: Double(r) + t)
    }
    var segments: [(Int, Int)] = []
    for r in 0..<(rows - 1) {
      for c in 0..<(columns - 1) {
        let corners = [values[r][c], values[r][c + 1], values[r + 1][c + 1], values[r + 1][c]]
        guard corners.allSatisfy(\.isFinite) else { continue }
        let above = corners.map { $0 >= level }
        let index =
          (above[0] ? 1 : 0) | (above[1] ? 2 : 0) | (above[2] ? 4 : 0) | (above[3] ? 8 : 0)
        let bottom = horizontal(r, c)
        let top = horizontal(r + 1, c)
        let left = vertical(r, c)
        let right = vertical(r, c + 1)
        switch index {
        case 0, 15: break
        case 1, 14: segments.append((left, bottom))
        case 2, 13: segments.append((bottom, right))
        case 3, 12: segments.append((left, right))
        case 4, 11: segments.append((right, top))
        case 6, 9: segments.append((bottom, top))
        case 7, 8: segments.append((left, top))
        case 5, 10:
          // A saddle: the centre decides which corners the lines separate.
          let centreAbove = corners.reduce(0, +) / 4 >= level
          if (index == 5) == centreAbove {
            segments += [(left, top), (bottom, right)]
          } else {
            segments += [(left, bottom), (right, top)]
          }
        default: break
        }
      }
    }
    return chain(segments).map { $0.map(crossing) }
  }

  /// Joins segments that share an edge into polylines (each edge is shared by at most two).
  private static func chain(_ segments: [(Int, Int)]) -> [[Int]] {
    var touching: [Int: [Int]] = [:]
    for (index, segment) in segments.enumerated() {
      touching[segment.0, default: []].append(index)
      touching[segment.1, default: []].append(index)
    }
    var used = Array(repeating: false, count: segments.count)
    func extend(_ line: inout [Int]) {
      while let end = line.last,
        let next = touching[end]?.first(where: { !used[$0] })
      {
        used[next] = true
        let segment = segments[next]
        line.append(segment.0 == end ? segment.1 : segment.0)
      }
    }
    var lines: [[Int]] = []
    for start in segments.indices where !used[start] {
      used[start] = true
      var forward = [segments[start].0, segments[start].1]
      extend(&forward)
      var backward = [segments[start].0]
      extend(&backward)
      lines.append(backward.reversed() + forward.dropFirst())
    }
    return lines
  }
}
