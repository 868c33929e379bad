fn main() {
    let path = std::env::args().nth(1);
    let cfg = softmax_hw::config::Config::load(path.as_deref().map(std::path::Path::new)).unwrap();
    let g = softmax_hw::generate::generate(&cfg, "x").unwrap();
    std::fs::write(format!("/tmp/{}.v", g.module), &g.verilog).unwrap();
    println!("/tmp/{}.v", g.module);
}
