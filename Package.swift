// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "nbrun",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "NeuralEngine", targets: ["NeuralEngine"]),
    .library(name: "Notebook", targets: ["Notebook"]),
    .library(name: "Runner", targets: ["Runner"]),
    .library(name: "Figures", targets: ["Figures"]),
    .library(name: "Rendering", targets: ["Rendering"]),
    .library(name: "MathCheck", targets: ["MathCheck"]),
    .library(name: "FormulaAudit", targets: ["FormulaAudit"]),
    .executable(name: "nbrun", targets: ["nbrun"]),
    .executable(name: "nbrun-preview", targets: ["nbrun-preview"]),
    .executable(name: "nbrun-bench", targets: ["nbrun-bench"]),
    .executable(name: "nbrun-kernel", targets: ["nbrun-kernel"]),
    .library(name: "NotebookKernel", targets: ["NotebookKernel"]),
    .library(name: "JupyterKernel", targets: ["JupyterKernel"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    // C libraries, each behind a module map and a one-line shim header.
    .systemLibrary(
      name: "CCmark", pkgConfig: "libcmark",
      providers: [.apt(["libcmark-dev"]), .brew(["cmark"])]),
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
    .systemLibrary(
      name: "CDuktape", pkgConfig: "duktape",
      providers: [.apt(["duktape-dev"]), .brew(["duktape"])]),
    // ZeroMQ's header is in the system's include folder; its pkg-config file would add
    // Kerberos's include folder, a flag SwiftPM refuses.
    .systemLibrary(name: "CZMQ", providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]),
    .systemLibrary(
      name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    // The C library's allocator settings (glibc's <malloc.h>): `nbrun` hands freed memory
    // back to the system as it goes.
    .systemLibrary(name: "CMalloc"),

    // KaTeX run by duktape: a notebook's TeX parsed at build time, errors located.
    .target(name: "MathCheck", dependencies: ["CDuktape"]),

    // Every printed formula read back from the rendered page and re-evaluated from its
    // printed operands; depends on nothing of ours, so it shares no code with the printers.
    .target(name: "FormulaAudit"),

    // "Did you mean": edit distance over names, shared by the engine and the notebook syntax.
    .target(name: "Spelling"),

    // The neural-network engine: knows nothing of notebooks.
    .target(
      name: "NeuralEngine",
      dependencies: [
        "CBLAS", "Spelling", .product(name: "RealModule", package: "swift-numerics"),
      ]),

    // Notebook syntax: documents, front matter, directives, diagnostics. The only module
    // that imports CCmark; knows nothing of the engine.
    .target(name: "Notebook", dependencies: ["CCmark", "Spelling", "Yams"]),

    // SVG figures: data in, SVG out. Imports nothing of ours; zlib compresses the small
    // PNG a shaded field (an error surface, decision regions) is drawn from.
    .target(name: "Figures", dependencies: ["CZlib"]),

    // Executes notebooks against the engine; never writes files. The NumPy mirror of the
    // engine that `--to ipynb` puts at the top of a notebook is here too, beside the code
    // that calls it: a real Python file (tested by executing it), compiled in as bytes.
    .target(
      name: "Runner", dependencies: ["NeuralEngine", "Notebook", "Figures", "Spelling"],
      resources: [.embedInCode("Python/nbrun_support.py")]),

    // Turns run results into Markdown and HTML handouts, and compares them (--check).
    .target(name: "Rendering", dependencies: ["Runner", "Notebook", "Figures"]),

    // What the command-line programs share: a notebook job (builds, variants, the files
    // they give), handout files on disk, OpenBLAS kernel selection.
    .target(
      name: "CommandLineSupport",
      dependencies: [
        "CBLAS", "CMalloc", "Rendering", "Runner", "Notebook", "MathCheck", "Figures",
        "FormulaAudit",
      ]),

    // `nbrun preview`: a small HTTP and WebSocket server on 127.0.0.1 (FlyingFox, which
    // needs nothing but the system's sockets) that re-renders a notebook when it changes
    // and pushes the new page to the open tab.
    .target(
      name: "Preview",
      dependencies: [
        "CommandLineSupport", "Rendering", "Runner", "Notebook", "MathCheck",
        .product(name: "FlyingFox", package: "FlyingFox"),
      ]),

    // The Jupyter messaging protocol (5.3) over ZeroMQ: the five channels, signed messages
    // (HMAC-SHA256 from swift-crypto), heartbeat; knows nothing of notebooks.
    .target(
      name: "JupyterKernel",
      dependencies: ["CZMQ", .product(name: "Crypto", package: "swift-crypto")]),

    // What the nbrun kernel does with a cell: runs it in a namespace that outlives it,
    // renders it as the handout does, completes and explains the directive language.
    .target(
      name: "NotebookKernel",
      dependencies: [
        "Runner", "Rendering", "Notebook", "CommandLineSupport", "JupyterKernel", "Figures",
      ]),

    // `nbrun kernel` execs it: the kernel links ZeroMQ and swift-crypto, which the
    // renderer does without.
    .executableTarget(
      name: "nbrun-kernel",
      dependencies: [
        "JupyterKernel", "NotebookKernel", "CommandLineSupport", "Rendering", "Runner",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .executableTarget(
      name: "nbrun",
      dependencies: [
        "Runner", "Rendering", "Notebook", "Figures", "CommandLineSupport", "MathCheck",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // `nbrun preview` execs it: the server links FlyingFox (and, statically, Foundation's
    // networking), which the renderer itself does without.
    .executableTarget(
      name: "nbrun-preview",
      dependencies: [
        "Preview", "CommandLineSupport", "Rendering", "Runner",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // libFuzzer targets (scripts/fuzz); built plainly, a replayer of the kept corpus.
    .executableTarget(
      name: "nbrun-fuzz",
      dependencies: ["Runner", "Notebook", "NeuralEngine", "Rendering", "FormulaAudit"]),

    .executableTarget(
      name: "nbrun-bench",
      dependencies: [
        "NeuralEngine", "CBLAS", "CommandLineSupport", "Figures", "Runner", "Notebook", "Rendering",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "NeuralEngineTests", dependencies: ["NeuralEngine", "Spelling"]),
    .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
    .testTarget(
      name: "RunnerTests", dependencies: ["Runner", "Notebook", "NeuralEngine", "Figures"]),
    .testTarget(
      name: "RenderingTests", dependencies: ["Rendering", "Runner", "Notebook", "Figures"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "Rendering", "Runner", "Notebook", "CommandLineSupport", "MathCheck", "Preview",
        "FormulaAudit", "NotebookKernel", "JupyterKernel",
      ]),
  ]
)
