/// The Python support cell's source (`Python/nbrun_support.py`): nbrun's engine in NumPy,
/// which every block's exported code calls.
public enum PythonSupport {
  public static let source = String(decoding: PackageResources.nbrun_support_py, as: UTF8.self)
}
