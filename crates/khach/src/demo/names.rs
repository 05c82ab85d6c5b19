//! Word lists for demo customers, weighted roughly like the real population: family
//! names by their share of Vietnamese people, mobile prefixes by carrier market share,
//! provinces by where customers of a Vietnamese business tend to live.

/// Family names (họ) with weights in tenths of a percent of the population.
pub const FAMILY: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 31),
    ("Huỳnh", 20),
    ("Phan", 45),
    ("Vũ", 22),
    ("Võ", 17),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 6),
    ("Đoàn", 5),
    ("Trịnh", 5),
    ("Lâm", 4),
    ("Mai", 4),
    ("Cao", 3),
    ("Trương", 4),
    ("Lương", 3),
    ("Tạ", 2),
    ("Hà", 3),
    ("Tô", 2),
    ("Châu", 2),
    ("Quách", 1),
    ("Triệu", 1),
    ("Kiều", 1),
    ("Thái", 1),
];

/// Middle names (tên đệm) for men and women.
pub const MIDDLE_MALE: &[(&str, u32)] = &[
    ("Văn", 30),
    ("Minh", 12),
    ("Đức", 10),
    ("Quang", 8),
    ("Hữu", 8),
    ("Công", 5),
    ("Thành", 5),
    ("Xuân", 4),
    ("Hoàng", 4),
    ("Tuấn", 4),
    ("Gia", 4),
    ("Đình", 5),
    ("Trọng", 4),
    ("Anh", 4),
    ("Ngọc", 3),
    ("Quốc", 5),
];

pub const MIDDLE_FEMALE: &[(&str, u32)] = &[
    ("Thị", 40),
    ("Ngọc", 10),
    ("Thu", 6),
    ("Thanh", 6),
    ("Phương", 4),
    ("Minh", 4),
    ("Kim", 5),
    ("Bảo", 4),
    ("Hồng", 5),
    ("Mỹ", 4),
    ("Khánh", 3),
    ("Diệu", 2),
    ("Thùy", 4),
    ("Hoài", 2),
    ("Tường", 1),
];

/// Second middle names for four-word names ("Nguyễn Thị Thu Trang").
pub const SECOND_MIDDLE: &[&str] = &[
    "Thu", "Minh", "Ngọc", "Hoài", "Thanh", "Bảo", "Phương", "Hải", "Anh", "Kim",
];

pub const GIVEN_MALE: &[&str] = &[
    "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hiếu", "Hòa", "Hùng", "Huy",
    "Khang", "Khoa", "Kiên", "Long", "Lâm", "Lộc", "Minh", "Nam", "Nghĩa", "Phát", "Phúc", "Phong",
    "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn",
    "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Khải", "Nhân", "Trí", "Hậu",
];

pub const GIVEN_FEMALE: &[&str] = &[
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Hương",
    "Huyền", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
    "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thu", "Thúy", "Trang", "Trâm", "Uyên",
    "Vân", "Vy", "Xuân", "Yến", "Diệp", "Nhi", "Thư", "Trinh", "Hân", "Khuê",
];

/// Mobile prefixes in 2025 with a weight per prefix, by carrier: Viettel, VinaPhone,
/// MobiFone, Vietnamobile, Gmobile, Itel, Reddi (Mobicast). Four-digit prefixes
/// where the numbering metadata (libphonenumber) only knows part of a block.
pub const MOBILE_PREFIXES: &[(&str, u32)] = &[
    // Viettel (≈ 55 %)
    ("086", 4),
    ("096", 7),
    ("097", 8),
    ("098", 8),
    ("032", 4),
    ("033", 4),
    ("034", 4),
    ("035", 4),
    ("036", 4),
    ("037", 3),
    ("038", 3),
    ("039", 3),
    // VinaPhone (≈ 22 %)
    ("088", 3),
    ("091", 5),
    ("094", 4),
    ("081", 2),
    ("082", 2),
    ("083", 2),
    ("084", 2),
    ("085", 2),
    // MobiFone (≈ 17 %)
    ("0896", 1),
    ("0898", 1),
    ("090", 5),
    ("093", 4),
    ("070", 2),
    ("076", 1),
    ("077", 1),
    ("078", 1),
    ("079", 1),
    // Vietnamobile, Gmobile, Itel, Reddi (≈ 6 %)
    ("092", 2),
    ("056", 1),
    ("058", 1),
    ("0995", 1),
    ("059", 1),
    ("087", 1),
    ("0559", 1),
];

/// Provinces weighted by where customers live; the rest share `OTHER_PROVINCES`.
pub const BIG_PROVINCES: &[(&str, u32)] = &[
    ("79", 22), // Thành phố Hồ Chí Minh
    ("01", 20), // Thành phố Hà Nội
    ("48", 5),  // Thành phố Đà Nẵng
    ("31", 4),  // Thành phố Hải Phòng
    ("75", 4),  // Tỉnh Đồng Nai
    ("92", 3),  // Thành phố Cần Thơ
    ("24", 3),  // Tỉnh Bắc Ninh
    ("56", 3),  // Tỉnh Khánh Hòa
];
pub const OTHER_PROVINCES: u32 = 36;

pub const STREETS: &[&str] = &[
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Nguyễn Trãi",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Phan Đình Phùng",
    "Quang Trung",
    "Hùng Vương",
    "Lê Duẩn",
    "Võ Văn Tần",
    "Nguyễn Thị Minh Khai",
    "Pasteur",
    "Bạch Đằng",
    "Trường Chinh",
    "Lê Văn Sỹ",
    "Nguyễn Văn Cừ",
    "Phạm Văn Đồng",
    "Lạc Long Quân",
    "Tôn Đức Thắng",
    "Hoàng Hoa Thám",
    "Nguyễn Du",
    "Bà Triệu",
    "Kim Mã",
    "Cầu Giấy",
    "Xã Đàn",
    "Láng Hạ",
    "Nguyễn Văn Linh",
    "Võ Nguyên Giáp",
    "Phan Xích Long",
    "3 Tháng 2",
    "30 Tháng 4",
];

pub const EMAIL_DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 62),
    ("yahoo.com", 7),
    ("yahoo.com.vn", 4),
    ("outlook.com", 5),
    ("hotmail.com", 4),
    ("icloud.com", 4),
    ("fpt.com.vn", 2),
    ("viettel.com.vn", 2),
    ("vnpt.vn", 1),
    ("minhphat.com.vn", 2),
    ("saoviet.vn", 2),
    ("anphu-group.vn", 2),
    ("thienlong.vn", 1),
    ("dongduong.com.vn", 2),
];

/// The demo's stages (the default lifecycle of a new install), with how many
/// customers sit in each.
pub const STAGES: &[(&str, u32)] = &[
    ("Tiềm năng", 35),
    ("Quan tâm", 25),
    ("Khách hàng", 25),
    ("Thân thiết", 10),
    ("Rời bỏ", 5),
];

/// Sources with their attribution priority, and how often customers come from each.
pub const SOURCES: &[(&str, i32, u32)] = &[
    ("Website", 20, 22),
    ("Facebook", 30, 25),
    ("Zalo", 30, 20),
    ("Giới thiệu", 10, 10),
    ("Cửa hàng", 15, 12),
    ("Hội chợ", 40, 5),
    ("Gọi điện", 50, 6),
];

/// Tags and the percentage of customers carrying each.
pub const TAGS: &[(&str, u32)] = &[
    ("Khách lẻ", 30),
    ("Đã mua hàng", 40),
    ("Nhận bản tin", 20),
    ("Quan tâm khuyến mãi", 15),
    ("Khách sỉ", 8),
    ("VIP", 5),
    ("Khiếu nại", 3),
];

/// Membership tier (`hang`): option key, label, weight.
pub const TIERS: &[(&str, &str, u32)] = &[
    ("vang", "Vàng", 15),
    ("bac", "Bạc", 35),
    ("dong", "Đồng", 50),
];

pub const NOTES: &[&str] = &[
    "Thích được liên hệ qua Zalo.",
    "Gọi sau 17h, giờ hành chính bận.",
    "Khách quen của cửa hàng, hay mua quà tặng.",
    "Đã hỏi về chương trình trả góp.",
    "Cần xuất hóa đơn công ty.",
    "Giao hàng tận nhà, không nhận hàng cuối tuần.",
];
