//! Facts about the linked MLX runtime, for `doctor` and result provenance.
//! Everything here is read from the running process, not from build-time
//! assumptions: which libmlx was loaded, which BLAS `cblas_sgemm` bound to.

use serde::Serialize;
use std::ffi::{c_char, c_void, CStr};

/// The backend the binary was linked for (the wheel chosen at build time).
pub const BACKEND: &str = env!("PUNIE_MLX_BACKEND");
/// The MLX release the bindings were generated against.
pub const MLX_VERSION_PINNED: &str = "0.32.2";

#[derive(Debug, Clone, Serialize)]
pub struct RuntimeInfo {
    pub mlx_version: String,
    pub backend: String,
    pub gpu_available: bool,
    pub default_device: String,
    pub memory_limit_bytes: u64,
    pub active_memory_bytes: u64,
    /// The shared library libmlx was loaded from.
    pub runtime_library: Option<String>,
    /// The shared library that `cblas_sgemm` resolves to in this process.
    pub blas_library: Option<String>,
}

impl RuntimeInfo {
    pub fn blas_name(&self) -> &'static str {
        match self.blas_library.as_deref() {
            Some(p) if p.contains("openblas") => "OpenBLAS",
            Some(p) if p.contains("Accelerate") || p.contains("vecLib") => "Accelerate",
            Some(p) if p.contains("libblas") => "reference BLAS (netlib, slow)",
            Some(_) => "other",
            None => "none found",
        }
    }
}

/// The MLX runtime version as the loaded library reports it.
pub fn mlx_version() -> String {
    // SAFETY: mlx_string is an opaque handle; we free what mlx_version fills.
    unsafe {
        let mut s = mlx_sys::mlx_string_new();
        let rc = mlx_sys::mlx_version(&mut s);
        let v = if rc == 0 && !mlx_sys::mlx_string_data(s).is_null() {
            CStr::from_ptr(mlx_sys::mlx_string_data(s))
                .to_string_lossy()
                .into_owned()
        } else {
            "unknown".to_string()
        };
        mlx_sys::mlx_string_free(s);
        v
    }
}

fn gpu_available() -> bool {
    let mut metal = false;
    let mut cuda = false;
    // SAFETY: plain out-parameter calls.
    unsafe {
        mlx_sys::mlx_metal_is_available(&mut metal);
        mlx_sys::mlx_cuda_is_available(&mut cuda);
    }
    metal || cuda
}

fn default_device() -> String {
    // SAFETY: device handles are created and freed here.
    unsafe {
        let mut dev = mlx_sys::mlx_device_new();
        let mut text = "unknown".to_string();
        if mlx_sys::mlx_get_default_device(&mut dev) == 0 {
            let mut s = mlx_sys::mlx_string_new();
            if mlx_sys::mlx_device_tostring(&mut s, dev) == 0 {
                text = CStr::from_ptr(mlx_sys::mlx_string_data(s))
                    .to_string_lossy()
                    .into_owned();
            }
            mlx_sys::mlx_string_free(s);
        }
        mlx_sys::mlx_device_free(dev);
        text
    }
}

/// The file a symbol visible in this process was loaded from.
fn library_of(symbol: &CStr) -> Option<String> {
    // SAFETY: dlsym/dladdr only read the loader's tables; the returned
    // dli_fname points into them and is copied before returning.
    unsafe {
        let addr: *mut c_void = libc::dlsym(libc::RTLD_DEFAULT, symbol.as_ptr() as *const c_char);
        if addr.is_null() {
            return None;
        }
        let mut info: libc::Dl_info = std::mem::zeroed();
        if libc::dladdr(addr, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        Some(
            CStr::from_ptr(info.dli_fname)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// Reads everything; cheap (no arrays evaluated).
pub fn info() -> RuntimeInfo {
    RuntimeInfo {
        mlx_version: mlx_version(),
        backend: BACKEND.to_string(),
        gpu_available: gpu_available(),
        default_device: default_device(),
        memory_limit_bytes: mlx_rs::memory::memory_limit().unwrap_or(0) as u64,
        active_memory_bytes: mlx_rs::memory::active_memory().unwrap_or(0) as u64,
        // mlx::core::version() lives in libmlx itself (mlx-c is static).
        runtime_library: library_of(c"_ZN3mlx4core7versionEv"),
        blas_library: library_of(c"cblas_sgemm"),
    }
}

/// Waits until every operation queued on the default CPU and GPU streams has
/// finished. Generation queues the next token's forward pass before it reads
/// the current one (as mlx-lm does), so a stop leaves one pass in flight.
/// Nothing may be in flight when the process exits: on Linux MLX's CPU
/// stream runs matmuls through OpenBLAS, whose exit-time destructor
/// (`gotoblas_quit` → `blas_thread_shutdown_`) marks each worker's queue with
/// -1 and joins it; a worker still busy with our matmul then overwrites that
/// mark with 0 when its job ends, goes to sleep, and the join waits forever
/// (OpenBLAS 0.3.21 `driver/others/blas_server.c`). Waiting here first is
/// what makes exit deterministic; it also keeps one query's leftover work
/// out of the next query's timings.
pub fn quiesce() {
    // SAFETY: streams are created and freed here; synchronize only waits.
    // Errors (no GPU on this backend) are reported by MLX's error handler
    // as a non-zero return and ignored: there is then nothing to wait for.
    unsafe {
        mlx_sys::mlx_synchronize_default();
        let cpu = mlx_sys::mlx_default_cpu_stream_new();
        mlx_sys::mlx_synchronize(cpu);
        mlx_sys::mlx_stream_free(cpu);
        if gpu_available() {
            let gpu = mlx_sys::mlx_default_gpu_stream_new();
            mlx_sys::mlx_synchronize(gpu);
            mlx_sys::mlx_stream_free(gpu);
        }
    }
}

/// Calls [`quiesce`] when dropped: on every return, early ones included.
pub struct QuiesceOnDrop;

impl Drop for QuiesceOnDrop {
    fn drop(&mut self) {
        quiesce();
    }
}
