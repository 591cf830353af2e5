import SafeCertApp

try await Entrypoint.main()
