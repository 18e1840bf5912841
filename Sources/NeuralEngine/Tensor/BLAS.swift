internal import CBLAS
import RealModule

/// The engine's one door to OpenBLAS: every matrix product goes through here.
///
/// OpenBLAS is pinned to one thread the first time a product runs, because `sgemm`
/// results differ in their last bits between thread counts and handouts must be
/// byte-identical. Call ``setThreadCount(_:)`` to trade that for speed.
public enum BLAS {
  /// The number of threads OpenBLAS uses for the engine's products.
  public static var threadCount: Int {
    _ = pinned
    return Int(openblas_get_num_threads())
  }

  /// Sets the number of OpenBLAS threads (at least one).
  public static func setThreadCount(_ count: Int) {
    _ = pinned
    openblas_set_num_threads(Int32(clamping: max(1, count)))
  }

  /// Asks for one thread only when OpenBLAS is not already at one: setting the count
  /// starts the library's worker threads again, which a program may have stopped.
  private static let pinned: Void = {
    if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
  }()

  /// C = alpha · op(A) · op(B) + beta · C on row-major storage, where op transposes when
  /// asked. A, B and C are read and written from the given element offsets, so a batch
  /// can be a view into a larger buffer without a copy.
  ///
  /// The caller guarantees the dimensions fit the buffers (checked by ``Matrix`` and the
  /// trainer before any call; a violation is a bug in the engine, not in a notebook).
  @inline(__always)
  static func gemm<Scalar: MatrixScalar>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Scalar, a: [Scalar], aOffset: Int = 0, lda: Int,
    b: [Scalar], bOffset: Int = 0, ldb: Int,
    beta: Scalar, c: inout [Scalar], cOffset: Int = 0, ldc: Int
  ) {
    _ = pinned
    guard m > 0, n > 0 else { return }
    precondition(
      aOffset + (transposeA ? (k - 1) * lda + m : (m - 1) * lda + k) <= a.count
        && bOffset + (transposeB ? (n - 1) * ldb + k : (k - 1) * ldb + n) <= b.count
        && cOffset + (m - 1) * ldc + n <= c.count || k == 0,
      "gemm dimensions exceed buffers")  // engine invariant, never reached from input
    if k == 0 {
      for i in 0..<m {
        for j in 0..<n { c[cOffset + i * ldc + j] *= beta }
      }
      return
    }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          guard let a0 = pa.baseAddress, let b0 = pb.baseAddress, let c0 = pc.baseAddress
          else { return }
          Scalar._gemm(
            transposeA, transposeB, Int32(truncatingIfNeeded: m), Int32(truncatingIfNeeded: n),
            Int32(truncatingIfNeeded: k), alpha,
            a0 + aOffset, Int32(truncatingIfNeeded: lda), b0 + bOffset,
            Int32(truncatingIfNeeded: ldb), beta, c0 + cOffset,
            Int32(truncatingIfNeeded: ldc))
        }
      }
    }
  }
}

/// Element types the engine computes in: `Float` and `Double`, both on BLAS.
///
/// The underscored requirement is the precision-specific BLAS entry point; call
/// ``Matrix`` products instead.
public protocol MatrixScalar: BinaryFloatingPoint, Real, Sendable, LosslessStringConvertible,
  Codable
where RawSignificand: FixedWidthInteger {
  /// The NumPy-style name of the element type: `float32` or `float64`.
  static var dtypeName: String { get }
  // swiftlint:disable:next identifier_name
  static func _gemm(
    _ transposeA: Bool, _ transposeB: Bool, _ m: Int32, _ n: Int32, _ k: Int32,
    _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32, _ b: UnsafePointer<Self>,
    _ ldb: Int32, _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)
}

extension Float: MatrixScalar {
  public static var dtypeName: String { "float32" }
  public static func _gemm(
    _ transposeA: Bool, _ transposeB: Bool, _ m: Int32, _ n: Int32, _ k: Int32,
    _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32, _ b: UnsafePointer<Float>,
    _ ldb: Int32, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32
  ) {
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
}

extension Double: MatrixScalar {
  public static var dtypeName: String { "float64" }
  public static func _gemm(
    _ transposeA: Bool, _ transposeB: Bool, _ m: Int32, _ n: Int32, _ k: Int32,
    _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int32, _ b: UnsafePointer<Double>,
    _ ldb: Int32, _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int32
  ) {
    cblas_dgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
}
