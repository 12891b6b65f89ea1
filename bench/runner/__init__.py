"""Runner-only benchmark: cold bare pytest vs cold sandboxed vs warm zygote."""
