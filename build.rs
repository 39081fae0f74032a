//! Stamps the binary with a hash of its own source (`src/` and
//! `Cargo.lock`), so that a batch folder written by one build of mando is
//! never resumed or merged by a build that could compute other results.

use std::path::Path;

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            visit(&p, files);
        } else {
            files.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    visit(Path::new("src"), &mut files);
    files.extend(["Cargo.lock".into(), "Cargo.toml".into(), "build.rs".into()]);
    files.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in &files {
        let name = f.to_string_lossy().replace('\\', "/");
        for b in name.bytes().chain(std::fs::read(f).unwrap_or_default()).chain([0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=MANDO_SOURCE_HASH={h:016x}");
}
