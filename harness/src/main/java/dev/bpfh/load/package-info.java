/**
 * Loading what a user runs onto one backend: a lone program, or an ELF object's programs with their
 * shared maps set up as libbpf sets them up ({@link dev.bpfh.load.LoadedObject}). The conformance
 * runner, the differential runner and the commands that run or benchmark an object all load
 * through here, so an object means the same thing everywhere.
 */
package dev.bpfh.load;
