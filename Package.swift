// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "safecert",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "safecert", targets: ["safecert"]),
        .executable(name: "safecert-bench", targets: ["safecert-bench"]),
        .library(name: "SafeCertCore", targets: ["SafeCertCore"]),
        .library(name: "SafeCertDocuments", targets: ["SafeCertDocuments"]),
        .library(name: "SafeCertApp", targets: ["SafeCertApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // Tests only: reviewed HTML snapshots of every page (Tests/SafeCertAppTests/__Snapshots__).
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.19.7"),
    ],
    targets: [
        // The domain in plain Swift: values, rules, permissions, workflows. No Vapor, no Fluent.
        .target(
            name: "SafeCertCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/regions.csv"), .copy("Resources/ethnic-groups.txt")]
        ),
        // libjpeg-turbo's TurboJPEG API, from Debian.
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        // Cairo (PDF output) and Pango (text layout), from Debian.
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),
        // libqrencode (QR codes on admission tickets), from Debian.
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // zlib's raw inflate and CRC-32, from Debian: ZIP archives read under byte limits.
        .systemLibrary(name: "CZlibInflate", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libxlsxwriter (XLSX exports and templates, in constant-memory mode), from Debian.
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        // Documents in and out: images, XLSX, PDF, QR codes, admission tickets (PDF, DOCX). Nothing about the database.
        .target(
            name: "SafeCertDocuments",
            dependencies: ["SafeCertCore", "CTurboJPEG", "CPangoCairo", "CQREncode", "CZlibInflate", "CXLSXWriter", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // The Vapor application, organised by feature.
        .target(
            name: "SafeCertApp",
            dependencies: [
                "SafeCertCore",
                "SafeCertDocuments",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(name: "safecert", dependencies: ["SafeCertApp"]),
        // Benchmarks of the pure layers, built in release without Vapor (bench/assign, bench/tickets).
        .executableTarget(name: "safecert-bench", dependencies: ["SafeCertCore", "SafeCertDocuments"]),
        .testTarget(name: "SafeCertCoreTests", dependencies: ["SafeCertCore"]),
        .testTarget(name: "SafeCertDocumentsTests", dependencies: ["SafeCertDocuments"]),
        .testTarget(
            name: "SafeCertAppTests",
            dependencies: [
                "SafeCertApp",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["__Snapshots__"]
        ),
    ]
)
