fn main() -> std::process::ExitCode {
    m3ter_console::cli::main()
}
