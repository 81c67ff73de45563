/* The matrix's test program: prints one known line with write(2) and exits, no libc. */
static const char k_line[] = "pith matrix: hello from the test image\n";
void _start(void) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(1), "D"(1), "S"(k_line), "d"(sizeof k_line - 1) : "rcx", "r11", "memory");
  __asm__ volatile("syscall" : : "a"(60), "D"(0) : "rcx", "r11", "memory");
  __builtin_unreachable();
}
