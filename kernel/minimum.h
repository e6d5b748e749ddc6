/* The least RAM the kernel runs on; scripts/check-ram.sh reads this line. */
#define KERNEL_MIN_RAM_MIB 16
