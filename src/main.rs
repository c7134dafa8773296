fn main() -> std::process::ExitCode {
    punie_eval::cli::main()
}
