/*
 * kernels/vm/vm_internal.h - private to the vm module: the page-table
 * adapter the engine walks, the backing store and the page-object table.
 */
#ifndef PAGEBENCH_VM_INTERNAL_H
#define PAGEBENCH_VM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"
#include "pagebench/vm.h"

/* ---- PTE word, x86-64 layout (the bits the engine uses) ---- */
#define VM_PTE_P 0x1ULL   /* present */
#define VM_PTE_W 0x2ULL   /* writable */
#define VM_PTE_A 0x20ULL  /* accessed */
#define VM_PTE_D 0x40ULL  /* dirty */
#define VM_PTE_PFN_MASK 0x000ffffffffff000ULL
#define VM_PTE_PFN(p) (((p)&VM_PTE_PFN_MASK) >> 12)
#define VM_PTE_MK(pfn, bits) ((((uint64_t)(pfn)) << 12) | (bits))

/* Largest simulated asid: the policy-key namespaces above it hold shared
 * pages (see pb_vm_key). */
#define VM_ASID_MAX 0xfff0u
#define VM_NS_COW 0xfffdULL  /* pre-fork originals of COW regions */
#define VM_NS_FILE 0xfffeULL /* page cache (file-backed pages) */
#define VM_NS_SHM 0xffffULL  /* shared anonymous memory */
#define VM_VPN_BITS 48
#define VM_VPN_MASK ((1ULL << VM_VPN_BITS) - 1)

/* ---- page tables: one per address space, behind a small adapter ---- */
struct vm_pt;
int vm_pt_create(enum pb_vm_pt kind, uint64_t expected_pages, struct vm_pt **out);
void vm_pt_destroy(struct vm_pt *pt);
const char *vm_pt_impl(const struct vm_pt *pt);
/* Lock-free lookup of the PTE word (0 if none).  Any thread, inside an
 * epoch section (pb_epoch_enter). */
uint64_t vm_pt_get(struct vm_pt *pt, pb_asid_t as, uint64_t vpn);
/* Install / replace a PTE (fault path, under the engine lock). */
int vm_pt_set(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte);
/* Clear a PTE; returns the old word (fault path). */
uint64_t vm_pt_clear(struct vm_pt *pt, pb_asid_t as, uint64_t vpn);
/* Atomically OR bits (A, D) into a present PTE (any thread). */
void vm_pt_or(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t bits);

/* ---- backing store (backing.c) ---- */
struct vm_backing {
	int fd;              /* -1: simulated */
	uint64_t next_slot;  /* slots handed out */
	uint64_t *slot_key;  /* slot -> policy key (swap clustering) */
	uint64_t slot_cap;
	uint8_t *buf;        /* one page for real I/O */
	char err[256];
};
int vm_backing_open(struct vm_backing *b, const char *path, char *err, size_t errlen);
void vm_backing_close(struct vm_backing *b);
/* New swap slot for key.  0 or -ENOMEM. */
int vm_backing_slot(struct vm_backing *b, uint64_t key, uint64_t *slot);
uint64_t vm_backing_slot_key(const struct vm_backing *b, uint64_t slot);
/* Real I/O when a file is configured (no-ops otherwise): the page written
 * carries its key and a version, checked on read.  0 or -EIO. */
int vm_backing_swap_write(struct vm_backing *b, uint64_t slot, uint64_t key, uint64_t version);
int vm_backing_swap_read(struct vm_backing *b, uint64_t slot, uint64_t key, uint64_t version);
int vm_backing_file_write(struct vm_backing *b, uint64_t vpn, uint64_t key, uint64_t version);
int vm_backing_file_read(struct vm_backing *b, uint64_t vpn);

#endif
