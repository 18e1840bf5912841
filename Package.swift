// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "nbrun",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "NeuralEngine", targets: ["NeuralEngine"]),
    .library(name: "Notebook", targets: ["Notebook"]),
    .executable(name: "nbrun-bench", targets: ["nbrun-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // C libraries, each behind a module map and a one-line shim header.
    .systemLibrary(
      name: "CCmark", pkgConfig: "libcmark",
      providers: [.apt(["libcmark-dev"]), .brew(["cmark"])]),
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),

    // The neural-network engine: knows nothing of notebooks.
    .target(
      name: "NeuralEngine",
      dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")]),

    // Notebook syntax: the only module that imports CCmark.
    .target(name: "Notebook", dependencies: ["CCmark"]),

    // What the command-line programs share: OpenBLAS kernel selection.
    .target(name: "CommandLineSupport", dependencies: ["CBLAS"]),

    .executableTarget(
      name: "nbrun-bench",
      dependencies: [
        "NeuralEngine", "CBLAS", "CommandLineSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "NeuralEngineTests", dependencies: ["NeuralEngine"]),
    .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
  ]
)
