// swift-tools-version: 6.2
import PackageDescription

/// Settings every Vigil target shares: explicit imports and `any` for existentials keep the
/// dependency picture honest and the code readable.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // The only C in the project: libsqlite3 through pkg-config, plus inline shims for variadics.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // <sys/epoll.h> and friends, which Swift's Glibc module does not export.
        .systemLibrary(name: "CEpoll"),
        .target(
            name: "VigilStore",
            dependencies: [
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrations"]
        ),
        // migrations/*.sql compiled into VigilStore at build time (no generated file committed).
        .executableTarget(
            name: "MigrationEmbedder",
            swiftSettings: strictSettings
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["MigrationEmbedder"]
        ),
        .target(
            name: "VigilHTTP",
            dependencies: ["CEpoll"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilAPI",
            dependencies: ["VigilStore", "VigilHTTP"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilAPI",
                "VigilStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // A test VFS that cuts the power or fails writes and syncs on demand (the storage-fault
        // proof suites); C, as SQLite's own test VFSes are. Linked into test targets only.
        .target(
            name: "CFaultVFS",
            dependencies: ["CSQLite"],
            path: "Tests/CFaultVFS"
        ),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: ["VigilStore", "CSQLite", "CFaultVFS"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilAPITests",
            dependencies: ["VigilAPI", "VigilStore", "VigilHTTP", "CFaultVFS", "CSQLite"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilCLITests",
            dependencies: ["vigil", "VigilStore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilHTTPTests",
            dependencies: ["VigilHTTP"],
            swiftSettings: strictSettings
        ),
    ]
)
