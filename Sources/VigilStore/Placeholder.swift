public enum VigilStoreModule {}
