//! `istiolint server`: the language server on stdio.

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ServerArgs {
    /// Talk LSP over standard input/output (the only transport; accepted
    /// because editors pass it).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: ServerArgs) -> Result<ExitCode, String> {
    let code = crate::server::run_stdio()?;
    Ok(ExitCode::from(code))
}
