/// The engine's element loops, run over buffer pointers so that the training loop pays no
/// copy-on-write or bounds checks per element. Every caller passes buffers whose sizes it
/// has already made consistent (the engine's own work buffers, never a notebook's input
/// unchecked), so index arithmetic wraps (`&+`) instead of trapping, which lets the loops
/// vectorise. This file and `BLAS.swift` are the only ones that touch pointers.
enum Kernels {
  /// Each of `rows` rows of `destination` set to `row`.
  @inline(__always)
  static func fill<S: MatrixScalar>(_ destination: inout [S], rows: Int, with row: [S]) {
    let width = row.count
    row.withUnsafeBufferPointer { r in
      destination.withUnsafeMutableBufferPointer { d in
        var offset = 0
        for _ in 0..<rows {
          for j in 0..<width { d[offset &+ j] = r[j] }
          offset &+= width
        }
      }
    }
  }

  /// `sums[j]` = Σ_i `matrix[i, j]` over `rows` rows.
  @inline(__always)
  static func columnSums<S: MatrixScalar>(_ matrix: [S], rows: Int, into sums: inout [S]) {
    let width = sums.count
    matrix.withUnsafeBufferPointer { m in
      sums.withUnsafeMutableBufferPointer { s in
        for j in 0..<width { s[j] = 0 }
        var offset = 0
        for _ in 0..<rows {
          for j in 0..<width { s[j] += m[offset &+ j] }
          offset &+= width
        }
      }
    }
  }

  /// `destination` += `factor` · `source`, returning Σ source² (for the L2 penalty).
  @inline(__always)
  static func addScaled<S: MatrixScalar>(_ destination: inout [S], _ source: [S], factor: S) -> S {
    var squares = S.zero
    source.withUnsafeBufferPointer { s in
      destination.withUnsafeMutableBufferPointer { d in
        for i in 0..<d.count {
          d[i] += factor * s[i]
          squares += s[i] * s[i]
        }
      }
    }
    return squares
  }

  /// Row `order[k]` of `source` copied to row k of `destination`, rows of `width`.
  @inline(__always)
  static func gatherRows<S: MatrixScalar>(
    _ source: [S], order: [Int], width: Int, into destination: inout [S]
  ) {
    source.withUnsafeBufferPointer { s in
      destination.withUnsafeMutableBufferPointer { d in
        for (to, from) in order.enumerated() {
          let (target, origin) = (to &* width, from &* width)
          for k in 0..<width { d[target &+ k] = s[origin &+ k] }
        }
      }
    }
  }

  /// Runs `body` over `input` and `output` as buffers of equal length.
  @inline(__always)
  static func map<S: MatrixScalar>(
    _ input: [S], into output: inout [S],
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
  ) {
    input.withUnsafeBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in body(i, o) }
    }
  }

  /// Runs `body` over three inputs and an output (the third may be longer: an offset view).
  @inline(__always)
  static func map<S: MatrixScalar, R>(
    _ first: [S], _ second: [S], _ third: [S], into output: inout [S],
    _ body: (
      UnsafeBufferPointer<S>, UnsafeBufferPointer<S>, UnsafeBufferPointer<S>,
      UnsafeMutableBufferPointer<S>
    )
      throws -> R
  ) rethrows -> R {
    try first.withUnsafeBufferPointer { a in
      try second.withUnsafeBufferPointer { b in
        try third.withUnsafeBufferPointer { c in
          try output.withUnsafeMutableBufferPointer { o in try body(a, b, c, o) }
        }
      }
    }
  }

  /// Runs `body` over a parameter buffer, its gradient and two state slots.
  @inline(__always)
  static func update<S: MatrixScalar>(
    _ theta: inout [S], gradient: [S], first: inout [S], second: inout [S],
    _ body: (
      UnsafeMutableBufferPointer<S>, UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>,
      UnsafeMutableBufferPointer<S>
    )
      -> Void
  ) {
    gradient.withUnsafeBufferPointer { g in
      theta.withUnsafeMutableBufferPointer { t in
        first.withUnsafeMutableBufferPointer { m in
          second.withUnsafeMutableBufferPointer { v in body(t, g, m, v) }
        }
      }
    }
  }
}
