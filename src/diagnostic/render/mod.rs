//! Renderers for findings. (Being written.)
