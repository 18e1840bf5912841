import Foundation
import Notebook
import Rendering
import Runner

/// Finds the course a notebook belongs to: the notebooks in its folder whose front matter
/// names the same `course:` — two or more make a course. A page is then the same whether
/// its notebook is rendered alone or with the rest (`--check` of one lecture holds).
///
/// Order: the front matter's `order:` first (lowest first), then the order the command
/// line named the notebooks in, then the file names.
public enum CourseFinder {
  /// What a notebook's head says of its course, kept in the cache folder (`course/`) by
  /// the file's size, time and inode, so a sibling that has not changed is not parsed again.
  struct Head: Codable {
    var course: String?
    var order: Double?
    var title: String
    var summary: String?
    var date: String?

    init(name: String, document: Document) {
      course = document.frontMatter.course
      order = document.frontMatter.order
      let entry = Course.entry(name: name, document: document)
      (title, summary, date) = (entry.title, entry.summary, entry.date)
    }

    func entry(name: String) -> Course.Entry {
      Course.Entry(name: name, title: title, summary: summary, date: date)
    }
  }

  /// The head of the notebook at `url`: from `store` when its first 64 KB are as they were.
  static func head(
    of url: URL, name: String, store: DiskBlockStore?, saving: Bool, build: String
  ) -> Head? {
    // A sibling's title, course, order and first sentence stand at its top: only its
    // first 64 KB are read, so a folder of large files (or a 50 MB one) costs little.
    guard let text = head(of: url) else { return nil }
    var key = StableHash()
    key.add("course head 1 \(build)")
    key.add(url.path)
    key.add(name)
    key.add(text)
    if let data = store?.load(key.hex), let head = try? JSONDecoder().decode(Head.self, from: data)
    {
      return head
    }
    let head = Head(name: name, document: Document.parse(text, path: url.path).0)
    if saving, let store, let data = try? JSONEncoder().encode(head) {
      store.save(data, for: key.hex)
    }
    return head
  }

  /// The course of each notebook named, by its path; notebooks in no course are absent.
  /// With a `cache` folder, what each notebook's head says is read from there, and kept
  /// there when `saving`.
  public static func courses(
    for paths: [String], cache: URL? = nil, saving: Bool = true
  ) -> [String: Course] {
    let store = cache.map { DiskBlockStore(folder: $0, kind: "course") }
    let build = BuildIdentity.current
    var found: [String: Course] = [:]
    var folders: [URL: [String]] = [:]
    for path in paths {
      let folder = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL
      folders[folder, default: []].append(path)
    }
    let position = Dictionary(
      paths.enumerated().map { (stem(of: $1), $0) }, uniquingKeysWith: { first, _ in first })
    for (folder, named) in folders {
      let files =
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
      var members: [String: [(order: Double?, entry: Course.Entry)]] = [:]
      for file in files {
        let name = stem(of: file)
        guard
          let head = head(
            of: folder.appendingPathComponent(file), name: name, store: store, saving: saving,
            build: build),
          let course = head.course, !course.isEmpty
        else { continue }
        members[course, default: []].append((head.order, head.entry(name: name)))
      }
      for (title, entries) in members where entries.count >= 2 {
        let sorted = entries.sorted { a, b in
          let keyA = (a.order ?? .infinity, position[a.entry.name] ?? Int.max)
          let keyB = (b.order ?? .infinity, position[b.entry.name] ?? Int.max)
          if keyA != keyB { return keyA < keyB }
          return a.entry.name < b.entry.name
        }
        let course = Course(title: title, entries: sorted.map(\.entry))
        for path in named where course.entries.contains(where: { $0.name == stem(of: path) }) {
          found[path] = course
        }
      }
    }
    return found
  }

  /// The course's index page for `folder`: each notebook's slides and PDF are linked when
  /// this run builds them (for the notebooks it renders, `rendered` by name) or they are
  /// already there.
  public static func index(
    of course: Course, building formats: Set<String>, rendered: Set<String>, in folder: URL
  ) -> String {
    var course = course
    for k in course.entries.indices {
      let name = course.entries[k].name
      for (format, file) in [
        ("slides", "\(name).slides.html"), ("pdf", "\(name).pdf"), ("ipynb", "\(name).ipynb"),
        ("student", "student/\(name).html"), ("key", "key/\(name).html"),
      ]
      where formats.contains(format) && rendered.contains(name)
        || FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path)
      {
        course.entries[k].formats.append(format)
      }
    }
    return course.indexPage
  }

  /// The first 64 KB of a regular file, cut at its last whole line, or `nil`.
  static func head(of url: URL, bytes limit: Int = 65_536) -> String? {
    var info = stat()
    guard stat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
      let handle = try? FileHandle(forReadingFrom: url)
    else { return nil }
    defer { try? handle.close() }
    guard var data = try? handle.read(upToCount: limit) else { return nil }
    if data.count == limit, let newline = data.lastIndex(of: UInt8(ascii: "\n")) {
      data = data[..<newline]
    }
    return String(decoding: data, as: UTF8.self)
  }

  static func stem(of path: String) -> String {
    URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
  }
}
