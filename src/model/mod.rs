//! The in-process MLX model runtime.
