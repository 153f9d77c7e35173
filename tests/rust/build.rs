// Links libstguard.so from STGUARD_LIB_DIR, with an rpath so tests run in place.
fn main() {
    println!("cargo:rerun-if-env-changed=STGUARD_LIB_DIR");
    let dir = match std::env::var("STGUARD_LIB_DIR") {
        Ok(dir) => dir,
        Err(_) => panic!("set STGUARD_LIB_DIR to the directory holding libstguard.so (e.g. build/release/lib)"),
    };
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=stguard");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
}
