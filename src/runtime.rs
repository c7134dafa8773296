//! Facts about the linked MLX runtime.
