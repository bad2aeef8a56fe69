fn main() -> std::process::ExitCode {
    istiolint::cli::main()
}
